import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ManagedProcess, OutputLine, ProcessExit, SpawnOptions } from '../context.ts';

/** What a CLI printed and how it ended, as recorded from a real run. */
export interface Recording {
  /** Every line the CLI wrote to stdout, in order, without line endings. */
  stdout: readonly string[];
  /** Lines it wrote to stderr; replayed after stdout, since a recording cannot keep their interleaving. */
  stderr?: readonly string[];
  /** Defaults to 0. */
  exitCode?: number | null;
  /** The signal that ended the recorded process, if one did. */
  signal?: string | null;
}

/** What an executor asked the host to run. */
export interface SpawnCall {
  command: string;
  args: readonly string[];
  options: SpawnOptions;
}

/** How a process ends when the attempt is stopped: the host kills its tree with SIGTERM. */
const KILLED: ProcessExit = Object.freeze({ code: null, signal: 'SIGTERM' });

/**
 * A ManagedProcess that replays a recording instead of running anything, and remembers how the
 * executor started it. It behaves like the host's: lines arrive one per turn of the event loop,
 * `exited` settles once the output has been read to the end, and aborting the run's signal kills
 * it — no further lines, and it exits by SIGTERM.
 */
export class FakeProcess implements ManagedProcess {
  /** No real process exists, and a pid an executor might signal must never name a real one. */
  readonly pid = undefined;
  readonly call: SpawnCall;
  readonly exited: Promise<ProcessExit>;
  readonly #pending: OutputLine[];
  readonly #recordedExit: ProcessExit;
  readonly #signal: AbortSignal;
  readonly #output: AsyncGenerator<OutputLine>;
  #resolveExit!: (exit: ProcessExit) => void;
  #killed = false;
  #linesRead = 0;

  constructor(recording: Recording, call: SpawnCall, signal: AbortSignal) {
    this.call = call;
    this.#pending = [
      ...recording.stdout.map((text): OutputLine => ({ stream: 'stdout', text })),
      ...(recording.stderr ?? []).map((text): OutputLine => ({ stream: 'stderr', text })),
    ];
    this.#recordedExit = { code: recording.signal ? null : (recording.exitCode ?? 0), signal: recording.signal ?? null };
    this.#signal = signal;
    this.exited = new Promise((resolve) => (this.#resolveExit = resolve));
    this.#output = this.#replay();
    if (signal.aborted) this.#kill();
    else signal.addEventListener('abort', this.#kill, { once: true });
  }

  /** The environment the executor added on top of the host's allow-listed one. */
  get env(): Readonly<Record<string, string>> {
    return this.call.options.env ?? {};
  }

  /** What the executor wrote to stdin, or undefined when it closed stdin at once. */
  get stdin(): string | undefined {
    return this.call.options.stdin;
  }

  /** How many output lines the executor has taken so far. */
  get linesRead(): number {
    return this.#linesRead;
  }

  get killed(): boolean {
    return this.#killed;
  }

  lines(): AsyncIterable<OutputLine> {
    return this.#output;
  }

  readonly #kill = (): void => {
    this.#killed = true;
    this.#exit(KILLED);
  };

  #exit(exit: ProcessExit): void {
    this.#signal.removeEventListener('abort', this.#kill);
    this.#resolveExit(exit);
  }

  async *#replay(): AsyncGenerator<OutputLine> {
    try {
      for (;;) {
        await nextTurn();
        const line = this.#killed ? undefined : this.#pending.shift();
        if (line === undefined) return;
        this.#linesRead += 1;
        yield line;
      }
    } finally {
      // Reached at the end of the output, or when the reader stops early; a killed process has already exited.
      this.#exit(this.#killed ? KILLED : this.#recordedExit);
    }
  }
}
