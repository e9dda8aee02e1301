import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ManagedProcess, OutputLine, ProcessExit, SpawnOptions } from '../context.ts';
import { assertOneLine } from '../process/host-process.ts';
import { createRecordingGate, waitsForEndOfInput } from './recording-gate.ts';

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

/** The whole lines an initial `stdin` string holds, as the CLI reads them, and the unfinished rest. */
export function inputLines(text: string | undefined): { lines: string[]; partial: string } {
  const lines = (text ?? '').split('\n');
  const partial = lines.pop() ?? '';
  return { lines, partial };
}

/**
 * A ManagedProcess that replays a recording instead of running anything, and remembers how the
 * executor started it and what it wrote. It behaves like the host's: lines arrive one per turn
 * of the event loop, `exited` settles once the output has been read to the end, and aborting the
 * run's signal kills it — no further lines, and it exits by SIGTERM. An interactive one follows
 * the rules of `recording-gate.ts`: it waits to be spoken to, answers only what was asked, waits
 * for answers to its own requests, and exits once its input is closed.
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
  readonly #written: string[];
  readonly #gate: ReturnType<typeof createRecordingGate>;
  /** Initial stdin after its last newline: the CLI reads it with the next line written. */
  #partial: string;
  #resolveExit!: (exit: ProcessExit) => void;
  #wakeUp: (() => void) | null = null;
  #killed = false;
  #exited = false;
  #inputClosed: boolean;
  #linesRead = 0;

  constructor(recording: Recording, call: SpawnCall, signal: AbortSignal) {
    this.call = call;
    this.#pending = [
      ...recording.stdout.map((text): OutputLine => ({ stream: 'stdout', text })),
      ...(recording.stderr ?? []).map((text): OutputLine => ({ stream: 'stderr', text })),
    ];
    this.#recordedExit = { code: recording.signal ? null : (recording.exitCode ?? 0), signal: recording.signal ?? null };
    this.#signal = signal;
    const input = inputLines(call.options.stdin);
    this.#written = input.lines;
    this.#partial = input.partial;
    this.#gate = createRecordingGate(call.options.interactive === true);
    for (const line of input.lines) this.#gate.wrote(line);
    this.#inputClosed = call.options.interactive !== true;
    this.exited = new Promise((resolve) => (this.#resolveExit = resolve));
    this.#output = this.#replay();
    if (signal.aborted) this.#kill();
    else signal.addEventListener('abort', this.#kill, { once: true });
  }

  /** The environment the executor added on top of the host's allow-listed one. */
  get env(): Readonly<Record<string, string>> {
    return this.call.options.env ?? {};
  }

  /** What the executor wrote to stdin at spawn, or undefined when it wrote nothing then. */
  get stdin(): string | undefined {
    return this.call.options.stdin;
  }

  /** Every line the executor gave the process: the initial `stdin`, then each `writeLine`. */
  get written(): readonly string[] {
    return this.#written;
  }

  get inputClosed(): boolean {
    return this.#inputClosed;
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

  writeLine(text: string): boolean {
    assertOneLine(text);
    if (this.#inputClosed || this.#killed || this.#exited) return false;
    this.#written.push(this.#partial + text);
    this.#gate.wrote(this.#partial + text);
    this.#partial = '';
    this.#wake();
    return true;
  }

  closeStdin(): void {
    if (this.#partial !== '') {
      this.#written.push(this.#partial);
      this.#gate.wrote(this.#partial);
    }
    this.#partial = '';
    this.#inputClosed = true;
    this.#wake();
  }

  readonly #kill = (): void => {
    this.#killed = true;
    this.#wake();
    this.#exit(KILLED);
  };

  #exit(exit: ProcessExit): void {
    this.#exited = true;
    this.#signal.removeEventListener('abort', this.#kill);
    this.#resolveExit(exit);
  }

  #wake(): void {
    const wake = this.#wakeUp;
    this.#wakeUp = null;
    wake?.();
  }

  /** Until the executor writes or closes the input, or the run is stopped. */
  #untilInput(): Promise<void> {
    return new Promise((resolve) => (this.#wakeUp = resolve));
  }

  async *#replay(): AsyncGenerator<OutputLine> {
    const interactive = this.call.options.interactive === true;
    try {
      for (;;) {
        await nextTurn();
        if (this.#killed) return;
        const line = this.#pending[0];
        if (line === undefined) {
          if (!this.#inputClosed && waitsForEndOfInput(interactive, this.#recordedExit.code, this.#recordedExit.signal)) {
            await this.#untilInput();
            continue;
          }
          return;
        }
        // Once its input is closed, the CLI holds nothing back.
        if (line.stream === 'stdout' && !this.#inputClosed && !this.#gate.mayPrint(line.text)) {
          await this.#untilInput();
          continue;
        }
        this.#pending.shift();
        if (line.stream === 'stdout') this.#gate.printed(line.text);
        this.#linesRead += 1;
        yield line;
      }
    } finally {
      // Reached at the end of the output, or when the reader stops early; a killed process has already exited.
      this.#exit(this.#killed ? KILLED : this.#recordedExit);
    }
  }
}
