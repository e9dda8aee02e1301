import { AssertionError } from 'node:assert';

/**
 * Settles with the promise, or fails once the deadline passes, with a sentence naming what did not
 * finish instead of the test runner's anonymous timeout. Most suites give it the generous hang
 * timeout; only the abort suite holds a stopped run to a short limit.
 */
export async function withinTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AssertionError({ message: `${what} did not finish within ${timeoutMs} ms` })), timeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
