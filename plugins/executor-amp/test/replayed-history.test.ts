import assert from 'node:assert/strict';
import type { ExecutorEvent } from '@forge-core/sdk';
import { collectEvents } from '@forge-core/sdk/testing';
import { withoutReplayedHistory } from '../src/replayed-history.ts';

const PROMPT = 'Now add a footer.';
const session: ExecutorEvent = { type: 'session', sessionId: 'T-0f3b1c2e-5d6a-4b7c-8e9f-a1b2c3d4e5f6' };
const earlierPrompt: ExecutorEvent = { type: 'message', role: 'user', text: 'Add a header.' };
const earlierCall: ExecutorEvent = { type: 'tool_call', callId: 'toolu_old', tool: 'edit_file', action: 'file_edit', summary: 'index.html' };
const earlierResult: ExecutorEvent = { type: 'tool_result', callId: 'toolu_old', isError: false };
const earlierChange: ExecutorEvent = { type: 'file_change', path: 'index.html', change: 'modified' };
const earlierUsage: ExecutorEvent = { type: 'usage', inputTokens: 100, outputTokens: 10 };
const echo: ExecutorEvent = { type: 'message', role: 'user', text: `${PROMPT}\n` };
const newCall: ExecutorEvent = { type: 'tool_call', callId: 'toolu_new', tool: 'edit_file', action: 'file_edit', summary: 'index.html' };
const newUsage: ExecutorEvent = { type: 'usage', inputTokens: 200, outputTokens: 20 };
const stray: ExecutorEvent = { type: 'log', level: 'warn', stream: 'stdout', text: 'amp printed a line that is not JSON: …' };
const done: ExecutorEvent = { type: 'done', status: 'succeeded', summary: 'Added.' };

async function* stream(events: readonly ExecutorEvent[]): AsyncGenerator<ExecutorEvent> {
  yield* events;
}

const filtered = (events: readonly ExecutorEvent[], signal = new AbortController().signal) => collectEvents(withoutReplayedHistory(stream(events), PROMPT, signal));

describe('withoutReplayedHistory', () => {
  it("drops the thread's earlier turns amp prints again, from the new prompt's echo on keeps everything, and passes the session and logs", async () => {
    const events = await filtered([session, earlierPrompt, earlierCall, stray, earlierResult, earlierChange, earlierUsage, echo, newCall, newUsage, done]);
    assert.deepEqual(events, [session, stray, { type: 'log', level: 'debug', text: 'left out 5 events amp replayed from the earlier turns of the thread' }, echo, newCall, newUsage, done]);
  });

  it('changes nothing when amp replays nothing', async () => {
    const events = await filtered([session, echo, newCall, newUsage, done]);
    assert.deepEqual(events, [session, echo, newCall, newUsage, done]);
  });

  it('shows what it held, with a warning, when the echo never comes, rather than losing it', async () => {
    const events = await filtered([session, earlierPrompt, newCall, done]);
    assert.deepEqual(events, [
      session,
      { type: 'log', level: 'warn', text: "amp never echoed the follow-up prompt, so the 2 events before the end could not be told apart from the thread's earlier turns it may have replayed; all are shown" },
      earlierPrompt,
      newCall,
      done,
    ]);
  });

  it('yields nothing held after the run was stopped, only its done', async () => {
    const stop = new AbortController();
    stop.abort();
    const cancelled: ExecutorEvent = { type: 'done', status: 'cancelled' };
    assert.deepEqual(await filtered([earlierPrompt, earlierCall, cancelled], stop.signal), [cancelled]);
  });
});
