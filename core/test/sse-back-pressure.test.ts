import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRepo } from './support/git-repo.ts';
import { readSse, type SseEvent } from './support/sse-client.ts';
import { StalledSseClient } from './support/stalled-sse-client.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

// Small, so a client that stops reading goes over it soon after the kernel's buffers are full.
const CAP_BYTES = 128 * 1024;
// Only so that a broken run ends; every step waits on a condition.
const STREAM_TIME_LIMIT_MS = 120_000;

const sequence = (id: string | undefined) => Number(String(id).split('-').at(-1));

describe('SSE clients that do not read', function () {
  this.timeout(180_000);
  let server: TestServer;
  let dir: ReturnType<typeof tempDir>;
  let projectId: string;
  const base = () => `${server.url}/api/v1`;

  before(async () => {
    server = await startTestServer({ FORGE_SSE_MAX_BUFFER_BYTES: String(CAP_BYTES) });
    dir = tempDir('forge-sse-pressure-');
    projectId = (await server.request('POST', '/projects', { name: 'pressure', repoPath: makeRepo(join(dir.path, 'repo')) })).body.id;
  });

  after(async () => {
    await server.close();
    dir.cleanup();
  });

  it('drops a log stream client that stops reading once over the cap; a reading client gets every entry, and the dropped one resumes with no gap or repeat', async () => {
    const stopFile = join(dir.path, 'stop-printing');
    // ~1 KB lines until the test has seen the drop; the bound only keeps a broken run finite.
    const command = `line=$(printf '%01000d' 0); i=0; while [ $i -lt 100000 ] && [ ! -e '${stopFile}' ]; do i=$((i+1)); echo "$i $line"; done`;
    const task = (await server.request('POST', '/tasks', { projectId, title: 'prints a lot' })).body;
    const attempt = (await server.request('POST', `/tasks/${task.id}/attempts`, { executor: 'script', options: { command } })).body;
    const path = `/api/v1/attempts/${attempt.id}/logs/stream`;

    const stalled = await StalledSseClient.open(server.url, path, server.server.listener);
    const reading = readSse(`${server.url}${path}`, { timeoutMs: STREAM_TIME_LIMIT_MS });
    await stalled.serverClosed!;
    writeFileSync(stopFile, '');

    const live = await reading;
    assert.equal((await server.waitForAttempt(attempt.id)).state, 'succeeded');
    assert.equal(live.at(-1)?.event, 'end', 'the reading client was not dropped');
    const all = live.filter((e) => e.event === 'entry').map((e) => e.data.seq);
    assert.deepEqual(all, all.map((_, i) => i + 1), 'every entry once, in order');

    const cut = await stalled.readToEnd();
    assert.equal(cut.endedBy, 'connection closed');
    assert.ok(!cut.events.some((e) => e.event === 'end'));
    const before = cut.events.filter((e) => e.event === 'entry').map((e) => Number(e.id));
    assert.ok(before.length > 0 && before.length < all.length, `the stalled client got ${before.length} of ${all.length}`);
    assert.deepEqual(before, all.slice(0, before.length));

    const resumed = await readSse(`${server.url}${path}`, { lastEventId: String(before.at(-1)), timeoutMs: STREAM_TIME_LIMIT_MS });
    assert.equal(resumed.at(-1)?.event, 'end');
    assert.deepEqual([...before, ...resumed.filter((e) => e.event === 'entry').map((e) => e.data.seq)], all);
  });

  it('drops an /events client that stops reading once over the cap; it resumes with Last-Event-ID and gets the rest once', async () => {
    const stalled = await StalledSseClient.open(server.url, '/api/v1/events', server.server.listener);
    let dropped = false;
    void stalled.serverClosed!.then(() => (dropped = true));
    const lastTitle = 'the last task';
    const sawLast = (events: SseEvent[]) => events.some((e) => e.event === 'task.created' && e.data.data.title === lastTitle);
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const reading = readSse(`${base()}/events`, { onOpen: opened, until: sawLast, timeoutMs: STREAM_TIME_LIMIT_MS });
    await open;

    // Large events (a 50 KB description each) fill the kernel's buffers in a few dozen tasks.
    const description = 'd'.repeat(50_000);
    const created: string[] = [];
    while (!dropped && created.length < 2_000) {
      created.push((await server.request('POST', '/tasks', { projectId, title: `task ${created.length}`, description })).body.id);
    }
    assert.ok(dropped, `still connected after ${created.length} tasks`);
    created.push((await server.request('POST', '/tasks', { projectId, title: lastTitle })).body.id);

    const createdIds = (events: SseEvent[]) => events.filter((e) => e.event === 'task.created').map((e) => e.data.data.id);
    assert.deepEqual(createdIds(await reading), created, 'the reading client got every event');

    const cut = await stalled.readToEnd();
    assert.equal(cut.endedBy, 'connection closed');
    const lastId = cut.events.at(-1)?.id;
    assert.ok(lastId, 'the stalled client got some events whole before it was dropped');
    const resumed = await readSse(`${base()}/events`, { lastEventId: lastId, until: sawLast, timeoutMs: STREAM_TIME_LIMIT_MS });
    assert.deepEqual([...createdIds(cut.events), ...createdIds(resumed)], created);
    const ids = [...cut.events, ...resumed].map((e) => sequence(e.id));
    assert.deepEqual(ids, ids.map((_, i) => ids[0]! + i), 'consecutive event ids: no gap, no repeat');
  });
});
