export interface RetrySchedule {
  /** The ceiling of the first wait; it doubles with each failed attempt. */
  baseMs: number;
  /** The ceiling never grows past this. */
  maxMs: number;
  /** Attempts in all, the first included; the last failure marks the delivery failed. */
  maxAttempts: number;
}

/**
 * The wait after the `attempts`-th failed attempt: exponential backoff with full jitter, a
 * uniformly random wait between 0 and min(max, base * 2^(attempts-1)). Full jitter spreads the
 * retries of many deliveries that failed together (a receiver that was down) instead of sending
 * them back in one burst when it comes up.
 */
export function retryDelayMs(attempts: number, schedule: RetrySchedule, random: () => number = Math.random): number {
  const ceiling = Math.min(schedule.maxMs, schedule.baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 40));
  return Math.floor(random() * ceiling);
}
