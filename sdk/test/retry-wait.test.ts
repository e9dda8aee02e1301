import assert from 'node:assert/strict';
import { retryAfterMsIn } from '../src/index.ts';

describe('retryAfterMsIn', () => {
  it('reads the waits agents and their providers write', () => {
    assert.equal(retryAfterMsIn('rate limit exceeded, try again in 30s'), 30_000);
    assert.equal(retryAfterMsIn('429 Too Many Requests, retry in 1.5s'), 1_500);
    assert.equal(retryAfterMsIn('Please try again in 250ms.'), 250);
    assert.equal(retryAfterMsIn('try again in 2 hours and 5 minutes'), 7_500_000);
    assert.equal(retryAfterMsIn('Retry-After: 20'), 20_000);
  });

  it('says nothing when no wait is named', () => {
    assert.equal(retryAfterMsIn('rate limit exceeded'), undefined);
    assert.equal(retryAfterMsIn('try again later'), undefined);
  });
});
