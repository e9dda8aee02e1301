/**
 * Codex retries a lost connection to the model forever (offline it prints "Reconnecting...
 * waiting for network" every few seconds and never ends the turn). The run gives it `limitMs`
 * from the first retry of a row; anything that shows the turn moving on starts a new row.
 */
export class ReconnectWatch {
  readonly #limitMs: number;
  readonly #onExpiry: () => void;
  #since: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #retries = 0;

  /** `onExpiry` is called when the limit passes with no retry to notice it. */
  constructor(limitMs: number, onExpiry: () => void) {
    this.#limitMs = limitMs;
    this.#onExpiry = onExpiry;
  }

  /** How many retries this row has seen. */
  get retries(): number {
    return this.#retries;
  }

  /** Codex is retrying; true when the limit has passed (with a limit of 0, at the first retry). */
  retry(now = Date.now()): boolean {
    this.#retries += 1;
    if (this.#since === undefined) {
      this.#since = now;
      if (this.#limitMs > 0) this.#timer = setTimeout(this.#onExpiry, this.#limitMs);
    }
    return now - this.#since >= this.#limitMs;
  }

  /** The turn moved on: the row of retries is over. */
  progress(): void {
    this.stop();
    this.#since = undefined;
    this.#retries = 0;
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
