import { AssertionError } from 'node:assert';
import { describeValue } from '../describe-value.ts';

export { describeValue };

/**
 * Fails the running test with every problem found at once, so an author fixes them in one pass
 * instead of one per run.
 */
export function assertNoProblems(heading: string, problems: readonly string[]): void {
  if (problems.length > 0) fail(heading, problems);
}

/** Fails the running test with the problems found. */
export function fail(heading: string, problems: readonly string[]): never {
  throw new AssertionError({ message: `${heading}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}` });
}

/** The message of anything thrown, for a problem list. */
export function thrownMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : `a non-error value (${describeValue(error)})`;
}
