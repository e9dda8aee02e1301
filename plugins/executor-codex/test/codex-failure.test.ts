import assert from 'node:assert/strict';
import { retryAfterMsIn } from '@forge-core/sdk';
import { failureOf, turnErrorOf } from '../src/codex-failure.ts';

function error(message: string, codexErrorInfo: unknown, additionalDetails: string | null = null, emittedAtMs?: number) {
  const parsed = turnErrorOf({ message, codexErrorInfo, additionalDetails }, emittedAtMs);
  assert.ok(parsed !== undefined);
  return parsed;
}

describe('codex failures', () => {
  it('reads "try again in …" waits in the forms OpenAI and codex write them', () => {
    assert.equal(retryAfterMsIn('Please try again in 20s.'), 20_000);
    assert.equal(retryAfterMsIn('Please try again in 3.236s.'), 3_236);
    assert.equal(retryAfterMsIn('Please try again in 250ms.'), 250);
    assert.equal(retryAfterMsIn('Please try again in 1m30s.'), 90_000);
    assert.equal(retryAfterMsIn("You've hit your usage limit. Try again in 2 hours 5 minutes."), 7_500_000);
    assert.equal(retryAfterMsIn('try again in 3 days, 4 hours and 1 minute'), 273_660_000);
    assert.equal(retryAfterMsIn('try again at 8:33 PM'), undefined);
    assert.equal(retryAfterMsIn('try again later'), undefined);
  });

  it('types usage limits as quota, unauthorized and HTTP 401 as auth, rate limits and HTTP 429 as rate_limit', () => {
    assert.deepEqual(failureOf(error("You've hit your usage limit. Try again in 2 hours 5 minutes.", 'usageLimitExceeded'), undefined), { kind: 'quota', retryAfterMs: 7_500_000 });
    assert.deepEqual(failureOf(error('401 Unauthorized', 'unauthorized', 'Please try again in 5s'), undefined), { kind: 'auth' });
    assert.deepEqual(failureOf(error('unexpected status 401', { httpConnectionFailed: { httpStatusCode: 401 } }), undefined), { kind: 'auth' });
    assert.deepEqual(failureOf(error('Rate limit reached', 'rateLimitExceeded'), undefined), { kind: 'rate_limit' });
    assert.deepEqual(failureOf(error('exceeded retry limit, last status: 429', { responseTooManyFailedAttempts: { httpStatusCode: 429 } }, 'Please try again in 1m30s.'), undefined), { kind: 'rate_limit', retryAfterMs: 90_000 });
  });

  it('leaves other errors untyped: waiting or logging in would not fix them', () => {
    for (const info of [{ responseStreamDisconnected: { httpStatusCode: null } }, { httpConnectionFailed: { httpStatusCode: 500 } }, 'contextWindowExceeded', 'sandboxError', null, 'other']) {
      assert.equal(failureOf(error('boom', info), undefined), undefined, JSON.stringify(info));
    }
  });

  it('takes the wait of a used-up limit from the last rate-limit snapshot when the message names a clock time', () => {
    const emittedAtMs = 1_796_322_790_000;
    const rateLimits = {
      primary: { usedPercent: 100, windowDurationMins: 300, resetsAt: 1_796_330_000 },
      secondary: { usedPercent: 40, windowDurationMins: 10_080, resetsAt: 1_796_900_000 },
    };
    const quota = error('You have hit your usage limit, try again at 8:33 PM.', 'usageLimitExceeded', null, emittedAtMs);
    assert.deepEqual(failureOf(quota, rateLimits), { kind: 'quota', retryAfterMs: 1_796_330_000_000 - emittedAtMs });
    assert.deepEqual(failureOf(error('limit', 'usageLimitExceeded'), rateLimits), { kind: 'quota' }, 'without emittedAtMs there is no reference time');
  });

  it('reads a turn error defensively', () => {
    assert.equal(turnErrorOf('not an object', undefined), undefined);
    assert.deepEqual(turnErrorOf({}, 5), { message: 'codex reported an error without a message', additionalDetails: undefined, codexErrorInfo: undefined, emittedAtMs: 5 });
  });
});
