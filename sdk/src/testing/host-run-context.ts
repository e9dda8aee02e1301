import { HostProcess } from '../process/host-process.ts';
import { createFakeRunContext, type FakeRunContext, type FakeRunContextOptions } from './fake-run-context.ts';
import type { Recording, SpawnCall } from './fake-process.ts';

export interface HostProcessOptions {
  /**
   * Variables every process gets on top of PATH and HOME from the test's own environment, as the
   * host's allow-list and the server's configuration would add them (a fake CLI's switches); what
   * the executor passes to `spawn` wins over them.
   */
  env?: Readonly<Record<string, string>>;
  /** How long a stopped process has between SIGTERM and SIGKILL; 500 ms unless given. */
  stopGraceMs?: number;
  /** Whether stopping the run stops its processes, as the host does (the default); false leaves the ending to the executor and its CLI. */
  stopOnAbort?: boolean;
}

/** The variables a test's processes inherit; anything else in the test runner's environment must not change what a test observes. */
const INHERITED_ENV = ['PATH', 'HOME'];
const DEFAULT_STOP_GRACE_MS = 500;

function inheritedEnv(): Record<string, string> {
  // A PATH even when the test runner has none, so a CLI's own `#!/usr/bin/env node` still starts.
  const env: Record<string, string> = { PATH: '/usr/bin:/bin' };
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * Starts, for a `createFakeRunContext` `startProcess`, the command the executor spawns as a real
 * process through the host's own process layer (`HostProcess`: its own process group, cwd
 * pinned to the worktree, output split into lines), with the test's PATH and HOME, `env`, and
 * the spawn's own env. The recording is ignored: the CLI the executor names (a fake one, most
 * likely) prints what it prints.
 */
export function hostProcessStarter(options: HostProcessOptions = {}): (recording: Recording, call: SpawnCall, signal: AbortSignal, cwd: string) => HostProcess {
  const { env = {}, stopGraceMs = DEFAULT_STOP_GRACE_MS, stopOnAbort = true } = options;
  return (_recording, call, signal, cwd) => {
    const child = new HostProcess(call.command, call.args, {
      cwd,
      env: { ...inheritedEnv(), ...env, ...call.options.env },
      stdin: call.options.stdin,
      interactive: call.options.interactive,
    });
    if (stopOnAbort && signal.aborted) void child.stop(stopGraceMs);
    else if (stopOnAbort) signal.addEventListener('abort', () => void child.stop(stopGraceMs), { once: true });
    return child;
  };
}

export interface HostRunContextOptions extends Omit<FakeRunContextOptions, 'recording' | 'startProcess'>, HostProcessOptions {
  /** Required here: real processes run in it and may write to it. */
  worktreePath: string;
}

/** A fake run context whose processes are real: approvals, logs, MCP servers and settings work as in `createFakeRunContext`. */
export interface HostRunContext extends FakeRunContext {
  /** Every process the run started, in order, to see how each ended. */
  readonly processes: readonly HostProcess[];
  /** Stops whatever the run left running, as the host does when a run ends; for a test's afterEach. */
  stopProcesses(): Promise<void>;
}

/** A RunContext for end-to-end tests of a pack against a real (or fake) CLI: see `hostProcessStarter`. */
export function createHostRunContext(options: HostRunContextOptions): HostRunContext {
  const { env, stopGraceMs = DEFAULT_STOP_GRACE_MS, stopOnAbort, ...fakeOptions } = options;
  const processes: HostProcess[] = [];
  const start = hostProcessStarter({ env, stopGraceMs, stopOnAbort });
  const ctx = createFakeRunContext({
    ...fakeOptions,
    startProcess: (recording, call, signal, cwd) => {
      const child = start(recording, call, signal, cwd);
      processes.push(child);
      return child;
    },
  });
  return Object.assign(ctx, {
    processes,
    stopProcesses: async () => {
      await Promise.all(processes.map((child) => child.stop(stopGraceMs)));
    },
  });
}
