import { ProgressLine } from './progress-line.ts';
import { colorWanted, styleOf, type Style } from './terminal-style.ts';

type Terminal = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * Where a client command writes: results on stdout (coloured only when it is a terminal, or
 * FORCE_COLOR says so), notes and the progress line on stderr. With --json, stdout carries JSON
 * and nothing else.
 */
export class CommandOutput {
  /** The colours of stdout. */
  readonly style: Style;
  /** The colours of stderr, which may be a terminal when stdout is not. */
  readonly noteStyle: Style;
  readonly progress: ProgressLine;

  constructor(
    private readonly stdout: Terminal = process.stdout,
    private readonly stderr: Terminal = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.style = styleOf(colorWanted(stdout, env));
    this.noteStyle = styleOf(colorWanted(stderr, env));
    this.progress = new ProgressLine(stderr, stderr.isTTY === true && env.TERM !== 'dumb');
  }

  print(text: string): void {
    this.progress.around(() => this.stdout.write(`${text}\n`));
  }

  /** One JSON document, indented. */
  json(value: unknown): void {
    this.print(JSON.stringify(value, null, 2));
  }

  /** One JSON document on one line: for output made of several (JSON lines). */
  jsonLine(value: unknown): void {
    this.print(JSON.stringify(value));
  }

  /** A remark for the person at the terminal (what to run next, that a list goes on), on stderr. */
  note(text: string): void {
    this.progress.around(() => this.stderr.write(`${text}\n`));
  }
}
