/** How many lines of one kind are written each second before only a sample of them is. */
export interface LogSampling {
  /** Lines of one key written in full each second. */
  perSecond: number;
  /** Past that, one line in this many is written (the others are counted). */
  thenOneIn: number;
}

export const DEFAULT_LOG_SAMPLING: LogSampling = { perSecond: 100, thenOneIn: 100 };

interface KeyWindow {
  /** When this key's current one-second window began. */
  startedAt: number;
  /** Lines of the key seen in the window. */
  seen: number;
  /** Lines left out since the last one written. */
  suppressed: number;
}

const WINDOW_MS = 1_000;
// A key that stopped logging is forgotten once its window is over. One that still has lines left
// out waits this long for its next line to report them, then is forgotten with its count: log
// messages with interpolated values must not grow this map without bound.
const KEEP_UNREPORTED_MS = 600_000;

/**
 * Keeps a burst of one kind of log line from flooding the log: per key, the first `perSecond`
 * lines of each second are written, then one in `thenOneIn`; each line written says how many of
 * its key were left out before it. Windows are per key and start at a key's first line after the
 * last window ended, so no timer runs.
 */
export class LogSampler {
  private readonly windows = new Map<string, KeyWindow>();
  private sweptAt: number;

  constructor(
    private readonly sampling: LogSampling,
    private readonly now: () => number = Date.now,
  ) {
    this.sweptAt = now();
  }

  /** Null when this line is left out; otherwise how many lines of its key were left out since the last one written. */
  admit(key: string): number | null {
    const now = this.now();
    if (now - this.sweptAt >= WINDOW_MS) this.sweep(now);
    let window = this.windows.get(key);
    if (!window) this.windows.set(key, (window = { startedAt: now, seen: 0, suppressed: 0 }));
    else if (now - window.startedAt >= WINDOW_MS) {
      window.startedAt = now;
      window.seen = 0;
    }
    window.seen++;
    const beyond = window.seen - this.sampling.perSecond;
    if (beyond > 0 && beyond % this.sampling.thenOneIn !== 0) {
      window.suppressed++;
      return null;
    }
    const suppressed = window.suppressed;
    window.suppressed = 0;
    return suppressed;
  }

  /** Keys being tracked: what the sweep keeps bounded. */
  get trackedKeys(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [key, window] of this.windows) {
      const idleFor = now - window.startedAt;
      if (idleFor >= WINDOW_MS && (window.suppressed === 0 || idleFor >= KEEP_UNREPORTED_MS)) this.windows.delete(key);
    }
  }
}
