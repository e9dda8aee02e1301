export const TIMED_OUT = Symbol('timed out');

/** The end of the time a run may take: anything awaited through it settles by then at the latest. */
export interface Deadline {
  race<T>(promise: Promise<T>): Promise<T | typeof TIMED_OUT>;
  /** Stops the timer, so a finished run holds nothing open. */
  clear(): void;
}

/** A deadline `timeoutMs` from now, or none when no timeout is set. */
export function startDeadline(timeoutMs: number | undefined): Deadline {
  if (timeoutMs === undefined) return { race: (promise) => promise, clear: () => undefined };
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  return { race: (promise) => Promise.race([promise, expired]), clear: () => clearTimeout(timer) };
}
