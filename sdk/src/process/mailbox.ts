/**
 * A queue with one reader that waits: the run's process output, approval answers, timers and
 * the stop all arrive here, so the run handles them one at a time, in the order they came.
 */
export class Mailbox<T> {
  readonly #items: T[] = [];
  #wake: (() => void) | null = null;

  push(item: T): void {
    this.#items.push(item);
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  async take(): Promise<T> {
    for (;;) {
      const item = this.#items.shift();
      if (item !== undefined) return item;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}
