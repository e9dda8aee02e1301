import { AssertionError } from 'node:assert';

/**
 * Settles with the promise, or fails once the generous deadline passes. It turns a hang into a
 * sentence naming what hung, instead of the test runner's anonymous timeout; it is not a speed
 * requirement.
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
