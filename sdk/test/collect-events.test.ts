import assert from 'node:assert/strict';
import type { ExecutorEvent } from '@forge-core/sdk';
import { collectEvents, eventsOfType, finalDone } from '@forge-core/sdk/testing';

async function* stream(events: readonly ExecutorEvent[]): AsyncGenerator<ExecutorEvent> {
  yield* events;
}

const session: ExecutorEvent = { type: 'session', sessionId: 's-1' };
const message: ExecutorEvent = { type: 'message', role: 'assistant', text: 'Done.' };
const done: ExecutorEvent = { type: 'done', status: 'succeeded' };

describe('collect-events: reading a run in a test', () => {
  it('drains the stream in order, showing each event as it arrives', async () => {
    const seen: string[] = [];
    const events = await collectEvents(stream([session, message, done]), (event) => seen.push(event.type));
    assert.deepEqual(events, [session, message, done]);
    assert.deepEqual(seen, ['session', 'message', 'done']);
  });

  it('gives the one done when it is last', () => {
    assert.equal(finalDone([session, done]), done);
  });

  it('refuses a run without a done, with two, or with events after it', () => {
    assert.throws(() => finalDone([session]), /expected exactly one done event, got 0/);
    assert.throws(() => finalDone([done, { type: 'done', status: 'failed' }]), /expected exactly one done event, got 2/);
    assert.throws(() => finalDone([done, message]), /expected done to be the last event, but .*"message".* came after it/);
  });

  it('picks the events of one type', () => {
    assert.deepEqual(eventsOfType([session, message, done, message], 'message'), [message, message]);
    assert.deepEqual(eventsOfType([session], 'usage'), []);
  });
});
