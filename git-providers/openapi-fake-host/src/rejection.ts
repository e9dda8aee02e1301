import assert from 'node:assert/strict';
import type { ForgeError } from '@forge-core/sdk';

/** The rejection of a provider call, so a test can check its code and what it tells a person; fails the test when the call resolves. */
export async function rejection(call: Promise<unknown>): Promise<ForgeError> {
  const outcome = await call.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  assert.ok('error' in outcome, `expected a rejection, the call resolved with ${JSON.stringify((outcome as { value: unknown }).value)}`);
  return outcome.error as ForgeError;
}
