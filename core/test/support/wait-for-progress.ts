export interface ProgressWait<T> {
  /** What is awaited, for the failure message. */
  what: string;
  /** The value to return once done, or a falsy value to keep waiting. */
  check(): Promise<T | false | undefined | null>;
  /**
   * A picture of how far things have got (states, counts). The wait gives up only when this has
   * not changed for `stallMs`: a slow, busy machine that is still making progress is waited for.
   */
  progress(): Promise<string>;
  stallMs?: number;
  /** Extra detail for the failure message, read when giving up. */
  describe?(): Promise<string>;
}

/** Polls a condition until it holds, failing only when progress stalls; no fixed deadline. */
export async function waitForProgress<T>(wait: ProgressWait<T>): Promise<T> {
  const stallMs = wait.stallMs ?? 60_000;
  let seen = '';
  let changedAt = Date.now();
  for (;;) {
    const value = await wait.check();
    if (value) return value;
    const now = await wait.progress();
    if (now !== seen) {
      seen = now;
      changedAt = Date.now();
    } else if (Date.now() - changedAt > stallMs) {
      const detail = wait.describe ? `: ${await wait.describe()}` : '';
      throw new Error(`no progress towards ${wait.what} for ${stallMs} ms${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
