import assert from 'node:assert/strict';
import { join } from 'node:path';
import pino from 'pino';
import { EventLog, type ForgeEvent } from '../src/events/event-log.ts';
import { openDatabase, type Database } from '../src/store/database.ts';
import { createStores, type Stores } from '../src/store/stores.ts';
import { makeRepo } from './support/git-repo.ts';
import { freePort, startServerProcess } from './support/server-process.ts';
import { readSse } from './support/sse-client.ts';
import { tempDir } from './support/temp-dir.ts';

const silent = pino({ level: 'silent' });

describe('the persisted event log', () => {
  let dirs: ReturnType<typeof tempDir>;
  let db: Database;
  let stores: Stores;
  let log: EventLog;

  beforeEach(async () => {
    dirs = tempDir('forge-event-log-');
    db = await openDatabase(join(dirs.path, 'forge.sqlite'));
    stores = createStores(db);
    log = await EventLog.open(db, stores.events, { maxAgeMs: 86_400_000, maxCount: 1_000 }, silent);
  });

  afterEach(async () => {
    await log.stop();
    await db.destroy();
    dirs.cleanup();
  });

  const project = (name: string) =>
    log.transact((tx, emit) => {
      const created = stores.projects.insert(tx, { name, repoPath: `/repo/${name}`, defaultBranch: 'main' });
      emit('project.created', created.id, created);
      return created;
    });

  it('appends a change’s events in its transaction: a change that throws leaves neither row nor event', async () => {
    await project('kept');
    await assert.rejects(
      log.transact((tx, emit) => {
        const created = stores.projects.insert(tx, { name: 'lost', repoPath: '/repo/lost', defaultBranch: 'main' });
        emit('project.created', created.id, created);
        throw new Error('the change fails after its event was emitted');
      }),
      /the change fails/,
    );
    assert.deepEqual((await stores.projects.all()).map((p) => p.name), ['kept']);
    const events = (await log.readAfter('0', 100)) as ForgeEvent[];
    assert.deepEqual(events.map((e) => [e.id, e.type, (e.data as { name: string }).name]), [['1', 'project.created', 'kept']]);
  });

  it('commits changes requested together as one group, undoing only the one that throws', async () => {
    const live: string[] = [];
    const unsubscribe = log.subscribe((event) => live.push((event.data as { name: string }).name));
    const outcomes = await Promise.allSettled([
      project('first'),
      log.transact((tx, emit) => {
        const created = stores.projects.insert(tx, { name: 'undone', repoPath: '/repo/undone', defaultBranch: 'main' });
        emit('project.created', created.id, created);
        throw new Error('this change alone fails');
      }),
      // A statement error (a repoPath already taken) is undone the same way.
      project('first'),
      project('last'),
    ]);
    unsubscribe();
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    assert.deepEqual((await stores.projects.all()).map((p) => p.name), ['first', 'last']);
    assert.deepEqual(live, ['first', 'last']);
    const stored = (await log.readAfter('0', 10)) as ForgeEvent[];
    assert.deepEqual(stored.map((e) => [e.id, (e.data as { name: string }).name]), [['1', 'first'], ['2', 'last']]);
  });

  it('hands each committed event to live subscribers once, in commit order, with the id a cursor read gives it', async () => {
    const live: string[] = [];
    const unsubscribe = log.subscribe((event) => live.push(event.id));
    await Promise.all(Array.from({ length: 50 }, (_, i) => project(`p${i}`)));
    unsubscribe();
    const stored = (await log.readAfter('0', 100)) as ForgeEvent[];
    assert.deepEqual(live, stored.map((e) => e.id));
    assert.deepEqual(live, Array.from({ length: 50 }, (_, i) => String(i + 1)));
    assert.equal(log.latestId, '50');
  });

  it('reads after a cursor in pages, and by subject', async () => {
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await project(`p${i}`));
    assert.deepEqual(((await log.readAfter('2', 2)) as ForgeEvent[]).map((e) => e.id), ['3', '4']);
    assert.deepEqual(((await log.readAfter('5', 10)) as ForgeEvent[]), []);
    assert.deepEqual(((await log.readAfter('0', 10, created[3]!.id)) as ForgeEvent[]).map((e) => e.id), ['4']);
  });

  it('tells a reader of a cursor it does not know, or of pruned events, to resync from the newest', async () => {
    for (let i = 0; i < 3; i++) await project(`p${i}`);
    for (const cursor of ['4', 'abc', 'l0x9-12', '-1', '']) {
      const answer = await log.readAfter(cursor, 10);
      assert.ok('gap' in answer, `cursor "${cursor}" is a gap`);
      assert.equal(answer.resumeFrom, '3');
    }
  });

  it('keeps at most the configured count, pruning only the oldest, and never the newest event', async () => {
    await log.stop();
    log = await EventLog.open(db, stores.events, { maxAgeMs: 86_400_000, maxCount: 100 }, silent);
    for (let i = 0; i < 130; i++) await project(`p${i}`);
    await log.prune();
    const { oldest, newest } = await stores.events.bounds();
    assert.deepEqual({ oldest, newest }, { oldest: 31, newest: 130 });
    const gap = await log.readAfter('29', 10);
    assert.ok('gap' in gap, 'a cursor before the kept events is a gap');
    assert.deepEqual(((await log.readAfter('30', 2)) as ForgeEvent[]).map((e) => e.id), ['31', '32']);
  });

  it('prunes by age, keeping the newest event so the log still knows how far it has come', async () => {
    for (let i = 0; i < 5; i++) await project(`p${i}`);
    await db('events').update({ ts: '2000-01-01T00:00:00.000Z' });
    await log.prune();
    assert.deepEqual(await stores.events.bounds(), { oldest: 5, newest: 5 });
    assert.deepEqual((await log.readAfter('5', 10)) as ForgeEvent[], []);
    assert.ok('gap' in (await log.readAfter('3', 10)));
    await project('after');
    assert.deepEqual(((await log.readAfter('5', 10)) as ForgeEvent[]).map((e) => e.id), ['6']);
  });

  it('resumes from where it was after the database is opened again', async () => {
    for (let i = 0; i < 3; i++) await project(`p${i}`);
    await log.stop();
    log = await EventLog.open(db, stores.events, { maxAgeMs: 86_400_000, maxCount: 1_000 }, silent);
    assert.equal(log.latestId, '3');
    await project('next');
    assert.equal(log.latestId, '4');
  });
});

describe('GET /events across a server killed with SIGKILL', function () {
  this.timeout(120_000);
  let dirs: ReturnType<typeof tempDir>;

  before(() => {
    dirs = tempDir('forge-event-restart-');
  });
  after(() => dirs.cleanup());

  it('gives a client reconnecting with its last id every event it missed, in order, none twice', async () => {
    const home = join(dirs.path, 'home');
    const repo = makeRepo(join(dirs.path, 'repo'));
    const port = await freePort();
    let server = await startServerProcess(home, port);
    const api = `${server.url}/api/v1`;
    const post = async (path: string, body: unknown) => {
      const response = await fetch(api + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await response.text();
      assert.ok(response.ok, `${path}: ${response.status} ${text}`);
      return JSON.parse(text) as { id: string };
    };
    try {
      const projectId = (await post('/projects', { name: 'restart', repoPath: repo })).id;
      // A client connected before the restart reads the first three task events, then loses the connection.
      let opened!: () => void;
      const open = new Promise<void>((resolve) => (opened = resolve));
      const firstRead = readSse(`${api}/events`, { onOpen: opened, until: (seen) => seen.filter((e) => e.event === 'task.created').length >= 3 });
      await open;
      const before: string[] = [];
      for (let i = 0; i < 8; i++) before.push((await post('/tasks', { projectId, title: `before ${i}` })).id);
      // The client handled events up to the third task.created (more may have come in the same chunk).
      const read = await firstRead;
      const seen = read.slice(0, read.findIndex((e, i) => e.event === 'task.created' && read.slice(0, i + 1).filter((x) => x.event === 'task.created').length === 3) + 1);
      const lastId = seen.at(-1)!.id!;

      server.child.kill('SIGKILL');
      await server.exited;
      server = await startServerProcess(home, port);
      const after: string[] = [];
      for (let i = 0; i < 4; i++) after.push((await post('/tasks', { projectId, title: `after ${i}` })).id);

      const resumed = await readSse(`${api}/events`, {
        lastEventId: lastId,
        until: (events) => events.some((e) => e.event === 'task.created' && e.data.data.id === after.at(-1)),
        timeoutMs: 20_000,
      });
      const ids = resumed.map((e) => Number(e.id));
      assert.deepEqual(ids, Array.from({ length: ids.length }, (_, i) => Number(lastId) + 1 + i), 'contiguous from the last id, none twice');
      const created = resumed.filter((e) => e.event === 'task.created').map((e) => e.data.data.id);
      const missedBefore = before.filter((id) => !seen.some((e) => e.event === 'task.created' && e.data.data.id === id));
      assert.deepEqual(created, [...missedBefore, ...after]);
      assert.ok(missedBefore.length >= 5, 'the client missed events from before the kill');
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  });
});
