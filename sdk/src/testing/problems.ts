import { AssertionError } from 'node:assert';

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

/** A short description of any value for a message, never the value dumped whole. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return value.length > 60 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** The message of anything thrown, for a problem list. */
export function thrownMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : `a non-error value (${describeValue(error)})`;
}
