import assert from 'node:assert/strict';
import type { ExecutorEvent } from '@forge-core/sdk';
import { collectEvents } from '@forge-core/sdk/testing';
import { describeDuration, withinBounds } from '../src/run-bounds.ts';

const session: ExecutorEvent = { type: 'session', sessionId: 'T-1' };
const message: ExecutorEvent = { type: 'message', role: 'assistant', text: 'Working.' };
const done: ExecutorEvent = { type: 'done', status: 'succeeded' };

/** A run that yields its events and then waits for `release` (forever unless released); it notes whether it was ended. */
function runThatWaits(events: readonly ExecutorEvent[], release?: Promise<readonly ExecutorEvent[]>) {
  const state = { returned: false };
  async function* generate(): AsyncGenerator<ExecutorEvent> {
    try {
      yield* events;
      yield* await (release ?? new Promise<readonly ExecutorEvent[]>(() => undefined));
    } finally {
      state.returned = true;
    }
  }
  return { stream: generate(), state };
}

describe('withinBounds', () => {
  it('passes a run that ends in time through unchanged', async () => {
    const { stream } = runThatWaits([session, message], Promise.resolve([done]));
    assert.deepEqual(await collectEvents(withinBounds(stream, { turnTimeoutMs: 60_000, idleTimeoutMs: 60_000 }, new AbortController().signal, 'amp')), [session, message, done]);
  });

  it('fails a run that goes silent for longer than idleTimeoutMs, without waiting for it', async () => {
    const { stream } = runThatWaits([session, message]);
    const events = await collectEvents(withinBounds(stream, { turnTimeoutMs: 0, idleTimeoutMs: 50 }, new AbortController().signal, 'amp'));
    assert.deepEqual(events, [
      session,
      message,
      { type: 'done', status: 'failed', error: 'amp printed nothing for 50 ms (the option idleTimeoutMs), so the run was stopped; it may be waiting for a server or network that does not answer.' },
    ]);
  });

  it('fails a run that takes longer than turnTimeoutMs, however busy it is', async () => {
    async function* chatty(): AsyncGenerator<ExecutorEvent> {
      for (;;) {
        yield message;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    const events = await collectEvents(withinBounds(chatty(), { turnTimeoutMs: 60, idleTimeoutMs: 1_000 }, new AbortController().signal, 'amp'));
    assert.deepEqual(events.at(-1), { type: 'done', status: 'failed', error: 'amp did not finish within 60 ms (the option turnTimeoutMs), so the run was stopped.' });
    assert.ok(events.length > 2);
  });

  it('never times out a stopped run: it waits for the cancelled done the run owes', async () => {
    const stop = new AbortController();
    let release!: (events: readonly ExecutorEvent[]) => void;
    const { stream } = runThatWaits([session], new Promise((resolve) => (release = resolve)));
    const bounded = withinBounds(stream, { turnTimeoutMs: 0, idleTimeoutMs: 20 }, stop.signal, 'amp');
    stop.abort();
    setTimeout(() => release([{ type: 'done', status: 'cancelled' }]), 80);
    assert.deepEqual(await collectEvents(bounded), [session, { type: 'done', status: 'cancelled' }]);
  });

  it('ends the run it gave up on once that run can move again', async () => {
    let release!: (events: readonly ExecutorEvent[]) => void;
    const { stream, state } = runThatWaits([session], new Promise((resolve) => (release = resolve)));
    await collectEvents(withinBounds(stream, { turnTimeoutMs: 0, idleTimeoutMs: 20 }, new AbortController().signal, 'amp'));
    assert.equal(state.returned, false);
    release([message]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(state.returned, true);
  });

  it('describes durations in the largest whole unit', () => {
    assert.deepEqual([3_600_000, 1_800_000, 90_000, 1500, 45_000].map(describeDuration), ['1 h', '30 min', '90 s', '1500 ms', '45 s']);
  });
});
