import assert from 'node:assert/strict';
import { join } from 'node:path';
import { makeRepo } from './support/git-repo.ts';
import { readSse } from './support/sse-client.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

describe('event streams', () => {
  let server: TestServer;
  let repos: ReturnType<typeof tempDir>;
  let projectId: string;

  before(async () => {
    server = await startTestServer();
    repos = tempDir('forge-sse-');
    const repo = makeRepo(join(repos.path, 'repo'));
    projectId = (await server.request('POST', '/projects', { name: 'sse', repoPath: repo })).body.id;
  });

  after(async () => {
    await server.close();
    repos.cleanup();
  });

  const base = () => `${server.url}/api/v1`;

  it('streams task and attempt changes, and resumes after Last-Event-ID without repeating or losing any', async () => {
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const watching = readSse(`${base()}/events`, {
      onOpen: opened,
      until: (events) => events.some((e) => e.event === 'attempt.updated' && e.data.data.state === 'succeeded'),
    });
    await open; // the server subscribes before it answers, so nothing after this is missed
    const task = (await server.request('POST', '/tasks', { projectId, title: 'streamed' })).body;
    const attempt = (await server.request('POST', `/tasks/${task.id}/attempts`, { executor: 'script', options: { command: 'echo hi' } })).body;
    const events = await watching;
    const types = events.map((e) => e.event);
    assert.ok(types.includes('task.created') && types.includes('attempt.created') && types.includes('process.started'), types.join());
    const states = events.filter((e) => e.event === 'attempt.updated' && e.data.data.id === attempt.id).map((e) => e.data.data.state);
    assert.deepEqual([...new Set(states)], ['preparing', 'running', 'succeeded']);
    assert.ok(events.every((e) => e.id), 'every event has an id');

    const cut = events.findIndex((e) => e.event === 'attempt.created');
    const resumed = await readSse(`${base()}/events`, {
      lastEventId: events[cut]!.id,
      until: (seen) => seen.length >= events.length - cut - 1,
      timeoutMs: 3_000,
    });
    assert.deepEqual(
      resumed.map((e) => e.id),
      events.slice(cut + 1).map((e) => e.id),
    );
  });

  it('tells a client whose Last-Event-ID is unknown to resync, with the id to go on from, then streams what follows', async () => {
    const newest = server.forge.events.latestId;
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const reading = readSse(`${base()}/events`, { lastEventId: 'old-boot-42', onOpen: opened, until: (seen) => seen.length > 1, timeoutMs: 5_000 });
    await open;
    const task = (await server.request('POST', '/tasks', { projectId, title: 'after the resync' })).body;
    const [resync, next] = await reading;
    assert.deepEqual([resync?.event, resync?.id, resync?.data.resumeFrom], ['resync', newest, newest]);
    assert.deepEqual([next?.event, next?.data.data.id, Number(next?.id)], ['task.created', task.id, Number(newest) + 1]);
  });

  it('streams an attempt log live, ends it once the attempt is finished, and resumes from a sequence number', async () => {
    const task = (await server.request('POST', '/tasks', { projectId, title: 'log me', description: 'write a.txt A' })).body;
    const attempt = (await server.request('POST', `/tasks/${task.id}/attempts`, { executor: 'fake-agent', options: { delayMs: 20 } })).body;
    const live = await readSse(`${base()}/attempts/${attempt.id}/logs/stream`);
    const entries = live.filter((e) => e.event === 'entry');
    assert.equal(live.at(-1)!.event, 'end');
    assert.deepEqual(
      entries.map((e) => e.data.seq),
      entries.map((_, i) => i + 1),
      'every entry from the first, in order, once',
    );
    assert.equal(entries[0]!.data.kind, 'session');
    assert.ok(entries.some((e) => e.data.kind === 'done'));

    const resumed = await readSse(`${base()}/attempts/${attempt.id}/logs/stream`, { lastEventId: '3' });
    assert.deepEqual(
      resumed.filter((e) => e.event === 'entry').map((e) => e.data.seq),
      entries.slice(3).map((e) => e.data.seq),
    );
    const paged = await server.request('GET', `/attempts/${attempt.id}/logs?after=2&limit=2`);
    assert.deepEqual(
      paged.body.items.map((e: any) => e.seq),
      [3, 4],
    );
    assert.equal(paged.body.nextAfter, 4);
  });
});
