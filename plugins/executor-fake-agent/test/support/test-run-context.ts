/**
 * A RunContext for tests, shaped like the host's: real child processes in their own process group,
 * cwd pinned to the worktree, output split into lines, and the whole group killed on abort
 * (SIGTERM, then SIGKILL if it is still alive after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ManagedProcess, OutputLine, ProcessExit, RunContext, SpawnOptions } from '@forge-core/sdk';
import { createRecordingLogger } from '@forge-core/sdk/testing';

export const KILL_GRACE_MS = 1000;

// The host passes an allow-list, not its own environment; a stray FAKE_AGENT_* in the test
// runner's environment must not change what a test observes.
const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'SystemRoot'];

export interface TestRunContext extends RunContext {
  abort(): void;
  /** Every process this context started, to check none outlives its run. */
  readonly pids: number[];
  /** How each of those processes ended, in the same order: shows whether a stop needed SIGKILL. */
  readonly exits: Promise<ProcessExit>[];
  readonly logged: string[];
}

/** Merges stdout and stderr lines in arrival order; ends when both streams have closed. */
function outputLines(child: ChildProcess): AsyncIterable<OutputLine> {
  const queue: OutputLine[] = [];
  let openStreams = 0;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    const readable = child[stream];
    if (readable === null) continue;
    openStreams += 1;
    const reader = createInterface({ input: readable, crlfDelay: Infinity });
    reader.on('line', (text) => {
      queue.push({ stream, text });
      notify();
    });
    reader.on('close', () => {
      openStreams -= 1;
      notify();
    });
  }
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) yield next;
        else if (openStreams === 0) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export function createTestRunContext(worktreePath: string): TestRunContext {
  const controller = new AbortController();
  const pids: number[] = [];
  const exits: Promise<ProcessExit>[] = [];
  const { log, logged } = createRecordingLogger();

  function spawnManaged(command: string, args: readonly string[], options: SpawnOptions = {}): ManagedProcess {
    const env: Record<string, string> = {};
    for (const name of INHERITED_ENV) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    const child = spawn(command, args, { cwd: worktreePath, env: { ...env, ...options.env }, detached: true, stdio: 'pipe' });
    if (child.pid !== undefined) pids.push(child.pid);
    // A process may exit without reading its stdin; the resulting EPIPE is not the test's concern.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin);

    const exited = new Promise<ProcessExit>((resolve) => {
      child.on('error', () => resolve({ code: null, signal: null }));
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
    const pid = child.pid;
    if (pid !== undefined) exits.push(exited);
    if (pid !== undefined) {
      const stop = () => {
        killGroup(pid, 'SIGTERM');
        const escalation = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
        void exited.then(() => clearTimeout(escalation));
      };
      if (controller.signal.aborted) stop();
      else controller.signal.addEventListener('abort', stop, { once: true });
      void exited.then(() => controller.signal.removeEventListener('abort', stop));
    }
    const lines = outputLines(child);
    return { pid, lines: () => lines, exited };
  }

  return {
    worktree: { path: worktreePath, branch: 'forge/test-attempt' },
    signal: controller.signal,
    log,
    spawn: spawnManaged,
    abort: () => controller.abort(),
    pids,
    exits,
    logged,
  };
}
