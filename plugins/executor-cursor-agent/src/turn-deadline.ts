export const TIMED_OUT = Symbol('timed out');

/** The end of the time a run may take: anything awaited through it settles by then at the latest. */
export interface TurnDeadline {
  race<T>(promise: Promise<T>): Promise<T | typeof TIMED_OUT>;
  /** Stops the timer, so a finished run holds nothing open. */
  clear(): void;
}

export function startTurnDeadline(timeoutMs: number): TurnDeadline {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  return { race: (promise) => Promise.race([promise, expired]), clear: () => clearTimeout(timer) };
}
