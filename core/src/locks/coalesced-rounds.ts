/**
 * Runs a round of work on request, never two at once: a request while a round runs does not
 * start another but makes the running one go once more when it ends, so bursts of wake-ups cost
 * one round each, and none is lost. A round that throws is reported and ends the series; the
 * next request starts a new one.
 */
export class CoalescedRounds {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly round: () => Promise<void>,
    /** Whether rounds may run at all (false once stopped). */
    private readonly active: () => boolean,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Runs a round, or one more after the running one; resolves when the series is over. */
  request(): Promise<void> {
    if (!this.active()) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.round();
        } while (this.again && this.active());
      } catch (error) {
        this.onError(error);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Resolves once the series under way, if any, is over. */
  async settled(): Promise<void> {
    await this.running;
  }
}
