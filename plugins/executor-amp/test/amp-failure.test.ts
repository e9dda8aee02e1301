import assert from 'node:assert/strict';
import type { DoneEvent } from '@forge-core/sdk';
import { withAmpFailure } from '../src/amp-failure.ts';

const failedWith = (error: string): DoneEvent => ({ type: 'done', status: 'failed', error, exitCode: 1 });

describe('withAmpFailure: typed failures from what amp says', () => {
  it('is auth for a key amp refuses', () => {
    assert.deepEqual(withAmpFailure(failedWith('amp exited with code 1 before reporting a result: Error: Invalid API key')).failure, { kind: 'auth' });
    assert.deepEqual(withAmpFailure(failedWith('amp failed during execution (error_during_execution): 401 Unauthorized')).failure, { kind: 'auth' });
  });

  it('is quota when the account is out of credits', () => {
    assert.deepEqual(withAmpFailure(failedWith('amp failed during execution (error_during_execution): Insufficient credits. Add credits at ampcode.com/settings')).failure, { kind: 'quota' });
    assert.deepEqual(withAmpFailure(failedWith('amp exited with code 1 before reporting a result: 402 Payment Required')).failure, { kind: 'quota' });
  });

  it('is rate_limit for a 429, with the retry-after it quotes', () => {
    assert.deepEqual(withAmpFailure(failedWith('amp exited with code 1 before reporting a result: Error: 429 Too Many Requests (retry-after: 45)')).failure, { kind: 'rate_limit', retryAfterMs: 45_000 });
    assert.deepEqual(withAmpFailure(failedWith('amp exited with code 1 before reporting a result: Error: rate limit exceeded, try again in 30s')).failure, { kind: 'rate_limit', retryAfterMs: 30_000 });
    assert.deepEqual(withAmpFailure(failedWith('amp exited with code 1 before reporting a result: rate limit exceeded')).failure, { kind: 'rate_limit' });
  });

  it('leaves other failures, a typed failure and a success as they are', () => {
    const unreachable = failedWith("amp exited with code 1 before reporting a result: Error: Couldn't connect to the Amp server at http://127.0.0.1:9.");
    assert.equal(withAmpFailure(unreachable), unreachable);
    const typed: DoneEvent = { ...failedWith('rate limit'), failure: { kind: 'auth' } };
    assert.equal(withAmpFailure(typed), typed);
    const succeeded: DoneEvent = { type: 'done', status: 'succeeded', summary: 'Handled the 429 responses of the API client.' };
    assert.equal(withAmpFailure(succeeded), succeeded);
  });
});
