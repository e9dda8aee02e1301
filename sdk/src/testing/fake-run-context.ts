import { tmpdir } from 'node:os';
import type { RunContext, SpawnOptions } from '../context.ts';
import { FakeProcess, type Recording } from './fake-process.ts';
import { createRecordingLogger } from './recording-logger.ts';

export interface FakeRunContextOptions {
  /** What the first process the executor spawns prints; later ones print nothing and exit 0. */
  recording?: Recording;
  worktreePath?: string;
  branch?: string;
}

/** A RunContext whose processes replay a recording, with everything the executor did kept for checks. */
export interface FakeRunContext extends RunContext {
  /** Every process the executor started, in order. */
  readonly spawned: readonly FakeProcess[];
  /** What the executor logged, as "level: text". */
  readonly logged: readonly string[];
  /** Stops the run, as a user stopping the attempt does. */
  abort(): void;
}

const SILENT: Recording = Object.freeze({ stdout: [] });

/**
 * The context the host hands `run` and `resume`, with no real process behind it. An executor
 * normally spawns its CLI once per run; the kit models that, so only the first spawn replays.
 */
export function createFakeRunContext(options: FakeRunContextOptions = {}): FakeRunContext {
  const controller = new AbortController();
  const spawned: FakeProcess[] = [];
  const { log, logged } = createRecordingLogger();
  return {
    worktree: { path: options.worktreePath ?? tmpdir(), branch: options.branch ?? 'forge/conformance' },
    signal: controller.signal,
    log,
    spawn(command: string, args: readonly string[], spawnOptions: SpawnOptions = {}) {
      const recording = spawned.length === 0 ? (options.recording ?? SILENT) : SILENT;
      const process = new FakeProcess(recording, { command, args: [...args], options: { ...spawnOptions } }, controller.signal);
      spawned.push(process);
      return process;
    },
    spawned,
    logged,
    abort: () => controller.abort(),
  };
}
