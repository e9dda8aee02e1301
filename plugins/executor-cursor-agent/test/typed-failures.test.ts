import assert from 'node:assert/strict';
import type { ProcessExit } from '@forge-core/sdk';
import { retryAfterMsIn } from '@forge-core/sdk';
import { runFailure } from '../src/cursor-failure.ts';
import { doneEvent } from '../src/cursor-outcome.ts';
import type { CursorStreamReport } from '../src/parse-cursor-stream.ts';

const EXIT_1: ProcessExit = { code: 1, signal: null };
const NO_STREAM: CursorStreamReport = { result: undefined, lastAssistantText: undefined };
/** A run that printed no result and exited 1, saying `stderr`. */
const failedWith = (...stderr: string[]) => doneEvent({ report: NO_STREAM, exit: EXIT_1, aborted: false, stderrTail: stderr });

describe('typed failures', () => {
  it('auth: what cursor-agent prints when logged out or given a bad key', () => {
    for (const text of [
      "Error: Authentication required. Please run 'agent login' first, or set CURSOR_API_KEY environment variable.",
      'Error: Not authenticated. Please run cursor-agent login',
      'Error: Not logged in',
      'Error: Invalid API key provided',
      'Request failed with status 401 Unauthorized',
    ]) {
      assert.deepEqual(failedWith(text).failure, { kind: 'auth' }, text);
    }
  });

  it('quota: the plan\'s usage limit, whose monthly reset is no wait worth scheduling', () => {
    const done = failedWith("Error: You've hit your usage limit", 'Get Cursor Pro for more Agent usage, unlimited Tab, and more.', 'Your usage limits will reset when your monthly cycle ends on 12/31/2026.');
    assert.deepEqual(done.failure, { kind: 'quota' });
    assert.deepEqual(failedWith('Error: spend limit reached for this team').failure, { kind: 'quota' });
  });

  it('rate_limit: a 429 or its words, with the wait the message gives', () => {
    assert.deepEqual(failedWith('Error: Rate limit exceeded (429 Too Many Requests). Please try again in 30 seconds.').failure, { kind: 'rate_limit', retryAfterMs: 30_000 });
    assert.deepEqual(failedWith('Error: too many requests, retry after 12').failure, { kind: 'rate_limit', retryAfterMs: 12_000 });
    assert.deepEqual(failedWith('HTTP 429').failure, { kind: 'rate_limit' });
  });

  it('reads waits in several units', () => {
    assert.equal(retryAfterMsIn('Please try again in 1m30s.'), 90_000);
    assert.equal(retryAfterMsIn('try again in 2 hours and 5 minutes'), 7_500_000);
    assert.equal(retryAfterMsIn('try again in 250ms'), 250);
    assert.equal(retryAfterMsIn('Retry-After: 7'), 7_000);
    assert.equal(retryAfterMsIn('try again later'), undefined);
  });

  it('names a login problem first when a text names a rate limit too', () => {
    assert.deepEqual(runFailure(['429: Authentication required']), { kind: 'auth' });
  });

  it('types only failures: an answer that talks about rate limits does not make a success a failure', () => {
    const done = doneEvent({ report: { result: { subtype: 'success', isError: false, text: 'Added a rate limit of 429 per minute.' }, lastAssistantText: 'Added a rate limit.' }, exit: { code: 0, signal: null }, aborted: false, stderrTail: [] });
    assert.deepEqual(done, { type: 'done', status: 'succeeded', summary: 'Added a rate limit.', exitCode: 0 });
  });

  it('leaves other failures untyped, saying what cursor-agent said', () => {
    const done = failedWith('Error: connect ECONNREFUSED 127.0.0.1:443');
    assert.equal(done.failure, undefined);
    assert.equal(done.error, 'cursor-agent exited with code 1 before reporting a result: Error: connect ECONNREFUSED 127.0.0.1:443');
  });

  it('types an error result from its text too', () => {
    const done = doneEvent({ report: { result: { subtype: 'success', isError: true, text: 'Authentication required' }, lastAssistantText: undefined }, exit: EXIT_1, aborted: false, stderrTail: [] });
    assert.deepEqual([done.status, done.error, done.failure], ['failed', 'cursor-agent reported an error: Authentication required', { kind: 'auth' }]);
  });
});
