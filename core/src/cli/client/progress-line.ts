const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 100;
// Erase the line, cursor back to its start.
const CLEAR = '\r\x1b[2K';

/**
 * One line at the bottom of the terminal, redrawn in place with a spinner, saying what a command
 * waits for (the queue, a worktree). Only on a terminal: in a pipe or a file it would be noise,
 * so it is then off and every call does nothing. Other output goes through `around`, which
 * lifts the line out of the way and puts it back below what was written.
 */
export class ProgressLine {
  private text: string | null = null;
  private frame = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    readonly enabled: boolean,
  ) {}

  show(text: string): void {
    if (!this.enabled) return;
    this.text = text;
    this.timer ??= setInterval(() => {
      this.frame = (this.frame + 1) % FRAMES.length;
      this.draw();
    }, FRAME_MS).unref();
    this.draw();
  }

  /** Takes the line away until the next `show`. */
  hide(): void {
    if (this.text === null) return;
    this.text = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stream.write(CLEAR);
  }

  /** Runs `write` (which prints to the same terminal) with the line lifted out of its way. */
  around(write: () => void): void {
    if (this.text === null) return write();
    this.stream.write(CLEAR);
    write();
    this.draw();
  }

  private draw(): void {
    if (this.text !== null) this.stream.write(`${CLEAR}${FRAMES[this.frame]} ${this.text}`);
  }
}
