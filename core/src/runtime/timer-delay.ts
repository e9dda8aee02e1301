/** Node fires a timer set beyond 2^31-1 ms (about 24.8 days) at once, so longer waits are cut to it; waking early finds nothing due and sets the timer again. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** The delay of a timer meant to fire at `at` (ms since the epoch): never negative, never past what Node can wait. */
export function delayUntil(at: number, now = Date.now()): number {
  return Math.min(Math.max(at - now, 0), LONGEST_TIMER_MS);
}
