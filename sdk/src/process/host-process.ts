import { spawn, type ChildProcess } from 'node:child_process';
import type { ManagedProcess, OutputLine, ProcessExit } from '../context.ts';
import { LineSplitter } from './line-splitter.ts';

export interface HostSpawnOptions {
  cwd: string;
  env: Record<string, string>;
  stdin?: string | undefined;
  /** Keep stdin open after `stdin` is written, for protocols that talk both ways. */
  interactive?: boolean | undefined;
}

// Lines buffered ahead of a slow consumer before the pipes are paused (back-pressure reaches
// the agent through the kernel pipe buffer instead of our memory).
const HIGH_WATER_LINES = 2_000;
const LOW_WATER_LINES = 200;
// After the agent exits, how long its leftover children may keep our pipes open before the
// group is killed: the host owns the whole tree, and a forgotten background job must not hang
// the attempt. Once the pipes are closed, whatever is left of the group is killed at once.
// Whatever still holds them once the group is killed has left it (setsid, a daemon): the host
// stops reading and leaves it to the attempt's sweep by marker (spec/decisions/0016).
const DRAIN_AFTER_EXIT_MS = 2_000;
// Turns of the event loop spent reading what is already in the pipes before our end of them is
// closed. One turn reads all a pipe buffer holds (libuv reads up to 32 x 64 KiB from a ready
// pipe); the bound cuts off a leftover that writes without pause.
const FINAL_READ_TURNS = 2;

/**
 * A process the host starts for a pack: its own process group (so the whole tree can be
 * signalled), cwd pinned, stdin written then closed (or kept open for an interactive one),
 * output split into lines in arrival order. The host runs every pack process through this
 * class, and the conformance kit replays transcripts through it too, so the two cannot differ.
 */
export class HostProcess implements ManagedProcess {
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private readonly queue: OutputLine[] = [];
  private waiter: (() => void) | null = null;
  private openStreams = 2;
  private paused = false;
  private endingOutput = false;
  private chunksRead = 0;
  private exitState: ProcessExit | null = null;

  constructor(command: string, args: readonly string[], options: HostSpawnOptions) {
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => {
      let drainTimer: NodeJS.Timeout | undefined;
      this.child.once('error', (error) => {
        this.push({ stream: 'stderr', text: `Could not start ${command}: ${error.message}` });
        this.finishStreams();
        resolve({ code: 127, signal: null });
      });
      this.child.once('exit', (code, signal) => {
        this.exitState = { code, signal };
        drainTimer = setTimeout(() => {
          this.killGroup('SIGKILL');
          void this.endOutput();
        }, DRAIN_AFTER_EXIT_MS);
        drainTimer.unref();
      });
      this.child.once('close', (code, signal) => {
        clearTimeout(drainTimer);
        // The leader is gone and nothing holds our pipes: what is left of the group is a job
        // sent to the background (`nohup … &`) that would outlive the attempt. Killed now, not
        // later: a group id cannot be reused while a member lives, and an emptied one has had
        // no time to be handed out again.
        this.killGroup('SIGKILL');
        resolve(this.exitState ?? { code, signal });
      });
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const readable = this.child[stream]!;
      readable.setEncoding('utf8');
      const splitter = new LineSplitter();
      readable.on('data', (chunk: string) => {
        this.chunksRead++;
        splitter.push(chunk, (text) => this.push({ stream, text }));
      });
      readable.once('close', () => {
        splitter.end((text) => this.push({ stream, text }));
        this.finishStreams();
      });
    }
    this.child.stdin!.on('error', () => undefined); // the agent may exit without reading stdin
    if (options.interactive) {
      if (options.stdin) this.child.stdin!.write(options.stdin);
    } else {
      this.child.stdin!.end(options.stdin ?? '');
    }
  }

  writeLine(text: string): boolean {
    assertOneLine(text);
    const stdin = this.child.stdin!;
    if (stdin.writableEnded || stdin.destroyed || this.hasExited) return false;
    stdin.write(`${text}\n`);
    return true;
  }

  closeStdin(): void {
    if (!this.child.stdin!.writableEnded) this.child.stdin!.end();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitState !== null || this.child.exitCode !== null || this.child.signalCode !== null;
  }

  async *lines(): AsyncIterable<OutputLine> {
    for (;;) {
      const line = this.queue.shift();
      if (line) {
        if (this.paused && this.queue.length < LOW_WATER_LINES) this.setPaused(false);
        yield line;
      } else if (this.openStreams === 0) {
        return;
      } else {
        await new Promise<void>((resolve) => (this.waiter = resolve));
      }
    }
  }

  /** SIGTERM to the whole group, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 2_000): Promise<void> {
    if (this.hasExited && this.openStreams === 0) return;
    this.killGroup('SIGTERM');
    const timer = setTimeout(() => this.killGroup('SIGKILL'), graceMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private killGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // the group is already gone
    }
  }

  /**
   * Closes our end of pipes that a process outside the group keeps open, so the lines end and
   * `exited` settles with the leader's status. What the leader wrote is read first, from the
   * streams' buffers and the pipes, back-pressure lifted: it is bounded by the pipe buffers.
   */
  private async endOutput(): Promise<void> {
    this.endingOutput = true;
    this.setPaused(false);
    for (let turn = 0; turn < FINAL_READ_TURNS; turn++) {
      const before = this.chunksRead;
      // The poll phase of this turn reads every pipe that has data waiting.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.chunksRead === before) break;
    }
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }

  private push(line: OutputLine): void {
    this.queue.push(line);
    if (!this.paused && !this.endingOutput && this.queue.length > HIGH_WATER_LINES) this.setPaused(true);
    this.wake();
  }

  private finishStreams(): void {
    this.openStreams = Math.max(0, this.openStreams - 1);
    if (this.child.pid === undefined) this.openStreams = 0;
    this.wake();
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (paused) stream?.pause();
      else stream?.resume();
    }
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}

/** A line is one message: a newline inside it would split it in two for the reader. */
export function assertOneLine(text: string): void {
  if (typeof text !== 'string' || /[\r\n]/.test(text)) {
    throw new TypeError('writeLine takes one line of text, without a newline; JSON.stringify a message to write it on one line');
  }
}
