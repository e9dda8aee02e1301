import assert from 'node:assert/strict';
import type { TestFunctions } from '@forge-core/sdk/testing';

export interface Outcome {
  /** The test's name under the kit's outermost describe, e.g. "executor echo > detect > …". */
  name: string;
  failure?: string;
}

/** Runs whatever a kit registers through describe/it stand-ins, as a test runner would, and reports every test. */
export async function runKit(register: (runner: TestFunctions) => void): Promise<Outcome[]> {
  const tests: { name: string; fn: () => Promise<void> }[] = [];
  const suites: string[] = [];
  register({
    describe(name, fn) {
      suites.push(name);
      fn();
      suites.pop();
    },
    it(name, fn) {
      tests.push({ name: [...suites.slice(1), name].join(' > '), fn });
    },
  });
  const outcomes: Outcome[] = [];
  for (const test of tests) {
    try {
      await test.fn();
      outcomes.push({ name: test.name });
    } catch (error) {
      outcomes.push({ name: test.name, failure: (error as Error).message });
    }
  }
  return outcomes;
}

export const failures = (outcomes: readonly Outcome[]) => outcomes.filter((outcome) => outcome.failure !== undefined);
export const failedNames = (outcomes: readonly Outcome[]) => failures(outcomes).map((outcome) => outcome.name);

/** Exactly these tests failed, no more: a kit that fails too much is as useless as one that fails too little. */
export function assertFailed(outcomes: readonly Outcome[], expected: readonly string[]): void {
  assert.deepEqual(failedNames(outcomes).sort(), [...expected].sort());
}

export const failureOf = (outcomes: readonly Outcome[], name: string) => outcomes.find((outcome) => outcome.name === name)?.failure ?? '';
