import assert from 'node:assert/strict';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { SessionEventStore } from '../../src/mcp/session-event-store.ts';

const message = (id: number, size: number): JSONRPCMessage => ({ jsonrpc: '2.0', id, result: { text: 'x'.repeat(size) } });

describe('SessionEventStore: what a 2025 session keeps for resuming', () => {
  it('replays what came after an event on its stream, and keeps to a byte budget, dropping the oldest', async () => {
    const store = new SessionEventStore();
    const first = await store.storeEvent('s1', message(1, 10));
    await store.storeEvent('other', message(2, 10));
    await store.storeEvent('s1', message(3, 10));
    const replayed: number[] = [];
    assert.equal(await store.replayEventsAfter(first, { send: async (_id, m) => void replayed.push((m as { id: number }).id) }), 's1');
    assert.deepEqual(replayed, [3]);

    // Twenty 50 KB results: only the newest fit the 256 KiB kept per session.
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push(await store.storeEvent('s2', message(100 + i, 50_000)));
    const kept: number[] = [];
    await store.replayEventsAfter(`s2.0`, { send: async (_id, m) => void kept.push((m as { id: number }).id) });
    assert.ok(kept.length >= 4 && kept.length <= 5, `kept ${kept.length}`);
    assert.deepEqual(kept, kept.map((_, i) => 120 - kept.length + i), 'the newest, in order');
  });

  it('sends but does not keep a message larger than the whole budget', async () => {
    const store = new SessionEventStore();
    const before = await store.storeEvent('s', message(1, 10));
    await store.storeEvent('s', message(2, 1_000_000));
    await store.storeEvent('s', message(3, 10));
    const replayed: number[] = [];
    await store.replayEventsAfter(before, { send: async (_id, m) => void replayed.push((m as { id: number }).id) });
    assert.deepEqual(replayed, [3]);
  });
});
