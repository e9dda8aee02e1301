import path from 'node:path';
import {
  RequestError,
  type CreateTerminalRequest,
  type CreateTerminalResponse,
  type TerminalExitStatus,
  type TerminalOutputResponse,
} from '@agentclientprotocol/sdk/unstable';
import type { ExecutorEvent, ManagedProcess, RunContext } from '@forge-core/sdk';
import { OutputTail } from './output-tail.ts';
import { PathRefused, pathInsideWorktree } from './worktree-paths-guard.ts';

/** What a terminal keeps when the agent names no limit. */
const DEFAULT_OUTPUT_BYTES = 1_000_000;
const YIELD_EVERY_LINES = 500;
const INVALID_PARAMS = -32602;

interface Terminal {
  child: ManagedProcess;
  output: OutputTail;
  exit: TerminalExitStatus | undefined;
  drained: Promise<void>;
}

/**
 * ACP's `terminal/*` methods: commands the agent asks the client to run, started through the host
 * (so they are in the attempt's process group and die with it), in the worktree or a folder
 * inside it. A folder outside is refused, and the run goes on.
 */
export class WorktreeTerminals {
  readonly #ctx: RunContext;
  readonly #note: (event: ExecutorEvent) => void;
  readonly #changed: () => void;
  readonly #terminals = new Map<string, Terminal>();
  #next = 0;

  /** `changed` is told when a command ends, since whether one runs decides what counts as the agent's silence. */
  constructor(ctx: RunContext, note: (event: ExecutorEvent) => void, changed: () => void) {
    this.#ctx = ctx;
    this.#note = note;
    this.#changed = changed;
  }

  create(request: CreateTerminalRequest): CreateTerminalResponse {
    const worktree = this.#ctx.worktree.path;
    let cwd: string;
    try {
      cwd = pathInsideWorktree(worktree, request.cwd ?? worktree);
    } catch (error) {
      if (!(error instanceof PathRefused)) throw error;
      this.#note({ type: 'log', level: 'warn', text: `Refused the agent's terminal request: ${error.message}.` });
      throw new RequestError(INVALID_PARAMS, `Refused: ${error.message}.`, { cwd: request.cwd });
    }
    const env = Object.fromEntries((request.env ?? []).map((variable) => [variable.name, variable.value]));
    const args = request.args ?? [];
    // The host starts every process in the worktree; a folder below it is entered by a shell first.
    const child =
      path.relative(pathInsideWorktree(worktree, worktree), cwd) === ''
        ? this.#ctx.spawn(request.command, args, { env })
        : this.#ctx.spawn('/bin/sh', ['-c', 'cd -- "$0" && exec "$@"', cwd, request.command, ...args], { env });
    const terminalId = `terminal-${++this.#next}`;
    const terminal: Terminal = { child, output: new OutputTail(request.outputByteLimit ?? DEFAULT_OUTPUT_BYTES), exit: undefined, drained: Promise.resolve() };
    terminal.drained = (async () => {
      let lines = 0;
      for await (const line of child.lines()) {
        terminal.output.push(line.text);
        // A command that prints without pause (`yes`) would keep the server's one thread on this loop: let others run now and then.
        if (++lines % YIELD_EVERY_LINES === 0) await new Promise((resume) => setImmediate(resume));
      }
      const exit = await child.exited;
      terminal.exit = { exitCode: exit.code, signal: exit.signal };
      this.#changed();
    })();
    this.#terminals.set(terminalId, terminal);
    return { terminalId };
  }

  output(terminalId: string): TerminalOutputResponse {
    const terminal = this.#get(terminalId);
    const output = terminal.output.text();
    return { output, truncated: terminal.output.truncated, ...(terminal.exit === undefined ? {} : { exitStatus: terminal.exit }) };
  }

  /** Whether a command the agent started is still running. */
  get running(): boolean {
    for (const terminal of this.#terminals.values()) if (terminal.exit === undefined) return true;
    return false;
  }

  /** What a terminal printed, for a tool call that shows it; undefined for one we do not know. */
  outputOf(terminalId: string): string | undefined {
    return this.#terminals.get(terminalId)?.output.text();
  }

  async waitForExit(terminalId: string): Promise<TerminalExitStatus> {
    const terminal = this.#get(terminalId);
    await terminal.drained;
    return terminal.exit ?? {};
  }

  kill(terminalId: string): Record<string, never> {
    this.#signal(this.#get(terminalId));
    return {};
  }

  release(terminalId: string): Record<string, never> {
    const terminal = this.#get(terminalId);
    if (terminal.exit === undefined) this.#signal(terminal);
    this.#terminals.delete(terminalId);
    return {};
  }

  #signal(terminal: Terminal): void {
    const pid = terminal.child.pid;
    if (pid === undefined || terminal.exit !== undefined) return;
    try {
      // The host starts each process as the leader of its own group: the signal reaches its children too.
      process.kill(-pid, 'SIGTERM');
    } catch {
      // It exited between the check and the signal.
    }
  }

  #get(terminalId: string): Terminal {
    const terminal = this.#terminals.get(terminalId);
    if (terminal === undefined) throw RequestError.resourceNotFound(terminalId);
    return terminal;
  }
}
