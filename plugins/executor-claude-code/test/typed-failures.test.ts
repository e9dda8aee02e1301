import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { DoneEvent, ExecutorEvent, ProcessExit } from '@forge-core/sdk';
import { createClaudeStreamParser } from '../src/parse-claude-stream.ts';

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const NOW_S = NOW / 1000;
const FAILED_EXIT: ProcessExit = { code: 1, signal: null };
const line = (message: unknown) => JSON.stringify(message);
const init = line({ type: 'system', subtype: 'init', session_id: 's', cwd: '/w', model: 'm', apiKeySource: 'none' });
const synthetic = (text: string, error: string) => line({ type: 'assistant', message: { id: 'x', model: '<synthetic>', role: 'assistant', content: [{ type: 'text', text }] }, parent_tool_use_id: null, session_id: 's', error });
const errorResult = (text: string, fields: Record<string, unknown> = {}) => line({ type: 'result', subtype: 'success', is_error: true, result: text, session_id: 's', total_cost_usd: 0, ...fields });
const rateLimitEvent = (info: Record<string, unknown>) => line({ type: 'rate_limit_event', rate_limit_info: info, uuid: 'u', session_id: 's' });

function parse(lines: readonly string[], exit: ProcessExit = FAILED_EXIT, aborted = false): { events: ExecutorEvent[]; done: DoneEvent } {
  const parser = createClaudeStreamParser({ now: () => NOW });
  const events = lines.flatMap((text) => parser.parseLine(text).events);
  return { events, done: parser.finish(exit, aborted) };
}

const transcript = (name: string) => readFileSync(new URL(`./transcripts/${name}.jsonl`, import.meta.url), 'utf8').trimEnd().split('\n');

describe('typed failures', () => {
  describe('auth', () => {
    it('is what Claude 2.1.197 and 2.1.332 print when logged out, whatever the order of their keys', () => {
      for (const name of ['not-logged-in-2.1.197', 'not-logged-in-2.1.332']) {
        assert.deepEqual(parse(transcript(name)).done.failure, { kind: 'auth' }, name);
      }
    });

    it('is an invalid API key or an expired login, from the result alone', () => {
      for (const text of ['Invalid API key · Fix external API key', 'API Error: 401 {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}', 'OAuth token has expired. Please obtain a new token or refresh your existing token.']) {
        assert.deepEqual(parse([init, errorResult(text)]).done.failure, { kind: 'auth' }, text);
      }
    });
  });

  describe('rate_limit', () => {
    it("waits until a rejected rate_limit_event's reset time", () => {
      const { events, done } = parse([init, rateLimitEvent({ status: 'rejected', resetsAt: NOW_S + 900, rateLimitType: 'five_hour' }), synthetic('API Error: 429 rate_limit_error', 'rate_limit'), errorResult('API Error: 429 rate_limit_error')]);
      assert.deepEqual(done.failure, { kind: 'rate_limit', retryAfterMs: 900_000 });
      assert.deepEqual(events.find((event) => event.type === 'log'), { type: 'log', level: 'warn', stream: 'stdout', text: 'claude hit its five_hour limit; it resets at 2026-12-04T12:15:00.000Z' });
    });

    it('takes the reset time from a later rejection of the same kind', () => {
      const { done } = parse([init, synthetic('API Error: 429', 'rate_limit'), rateLimitEvent({ status: 'rejected', resetsAt: NOW_S + 60 }), errorResult('API Error: 429')]);
      assert.deepEqual(done.failure, { kind: 'rate_limit', retryAfterMs: 60_000 });
    });

    it('says no wait when the reset time is already past', () => {
      assert.deepEqual(parse([init, rateLimitEvent({ status: 'rejected', resetsAt: NOW_S - 5 }), errorResult('stopped')]).done.failure, { kind: 'rate_limit' });
    });

    it('is a 429 in the result, with the retry-after it quotes', () => {
      assert.deepEqual(parse([init, errorResult('API Error: 429 {"type":"error","error":{"type":"rate_limit_error","message":"Rate limited. retry-after: 30"}}')]).done.failure, { kind: 'rate_limit', retryAfterMs: 30_000 });
    });

    it('is only information while the limit allows the run, which can still succeed', () => {
      const { events, done } = parse(
        [init, rateLimitEvent({ status: 'allowed', resetsAt: NOW_S + 60 }), rateLimitEvent({ status: 'allowed_warning', resetsAt: NOW_S + 60, rateLimitType: 'seven_day' }), line({ type: 'result', subtype: 'success', is_error: false, result: 'Done.' })],
        { code: 0, signal: null },
      );
      assert.deepEqual(events.filter((event) => event.type === 'log').map((event) => event.type === 'log' && event.level), ['debug', 'info']);
      assert.deepEqual(done, { type: 'done', status: 'succeeded', summary: 'Done.', exitCode: 0 });
    });

    it('is not attached to a run that succeeded after a rejection', () => {
      const { done } = parse([init, rateLimitEvent({ status: 'rejected', resetsAt: NOW_S + 60 }), line({ type: 'result', subtype: 'success', is_error: false, result: 'Done on overage.' })], { code: 0, signal: null });
      assert.equal(done.failure, undefined);
    });
  });

  describe('quota', () => {
    it('is a billing error or a credit balance too low', () => {
      assert.deepEqual(parse([init, synthetic('Credit balance is too low', 'billing_error'), errorResult('Credit balance is too low')]).done.failure, { kind: 'quota' });
      assert.deepEqual(parse([init, errorResult('Credit balance is too low')]).done.failure, { kind: 'quota' });
    });

    it('is a usage limit reached, waiting until the reset time it names', () => {
      assert.deepEqual(parse([init, errorResult(`Claude AI usage limit reached|${NOW_S + 3600}`)]).done.failure, { kind: 'quota', retryAfterMs: 3_600_000 });
    });
  });

  describe('other failures', () => {
    it('are not typed: an overloaded API, a crash, a maximum of turns', () => {
      assert.equal(parse(transcript('../fixtures/partial-messages-api-error')).done.failure, undefined);
      assert.equal(parse([init], { code: 2, signal: null }).done.failure, undefined);
      assert.equal(parse([init, line({ type: 'result', subtype: 'error_max_turns', is_error: true })]).done.failure, undefined);
    });

    it("are not read into the model's own answer when the run fails after it", () => {
      const answer = line({ type: 'result', subtype: 'success', is_error: false, result: 'Added a rate limit of 429 responses per minute to the login route.' });
      const { done } = parse([init, answer], { code: 1, signal: null });
      assert.deepEqual([done.status, done.failure], ['failed', undefined]);
    });

    it('are never attached to a stopped run', () => {
      assert.deepEqual(parse(transcript('not-logged-in-2.1.197'), FAILED_EXIT, true).done, { type: 'done', status: 'cancelled', summary: 'Not logged in · Please run /login', exitCode: 1 });
    });
  });

  it('logs the retries of Claude 2.1.332 against an API it cannot reach', () => {
    const { events, done } = parse(transcript('api-unreachable-2.1.332'), { code: 143, signal: null });
    const logs = events.filter((event) => event.type === 'log');
    assert.equal(logs.length, 6);
    assert.deepEqual(logs[2], { type: 'log', level: 'warn', stream: 'stdout', text: "claude's API request failed, retrying (attempt 3 of 10) in 2410 ms: unknown" });
    assert.equal(done.failure, undefined);
  });
});
