import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ForgeError } from '@forge-core/sdk';
import { toBoom } from '../src/api/error-response.ts';
import type { ForgeEvent } from '../src/events/event-log.ts';
import { ATTEMPT_TRANSITIONS } from '../src/lifecycle/attempt-lifecycle.ts';
import { TASK_TRANSITIONS } from '../src/lifecycle/task-lifecycle.ts';
import { WORKSPACE_ROOT } from './support/workspace-root.ts';
import { ATTEMPT_STATES, type AttemptState } from '../src/store/attempt-store.ts';
import { newId } from '../src/store/ids.ts';
import { TASK_STATUSES, type TaskStatus } from '../src/store/task-store.ts';
import { forceAttempt } from './support/rows.ts';
import { startServerWithProject, type ServerWithProject, type TestServer } from './support/test-server.ts';

describe('lifecycles as data', () => {
  let fixture: ServerWithProject;
  let server: TestServer;
  let projectId: string;

  before(async () => {
    fixture = await startServerWithProject({ env: { FORGE_MAX_CONCURRENT_ATTEMPTS: '1' } });
    ({ server, projectId } = fixture);
    // No scheduler pass may claim the test's queued attempts: nothing here should run.
    await server.forge.scheduler.shutdown();
  });

  after(() => fixture.close());

  const newTask = async (status: TaskStatus) => (await server.request('POST', '/tasks', { projectId, title: `a ${status} task`, status })).body;

  async function newAttempt(state: AttemptState) {
    const task = await newTask('todo');
    const id = newId();
    await server.forge.lifecycles.attempts.create({
      id,
      taskId: task.id,
      executor: { id: 'script', package: 'x', version: '1', contractVersion: '1.0.0' },
      options: {},
      prompt: 'p',
      branch: `forge/${id.slice(-8)}`,
      baseBranch: 'main',
    });
    await forceAttempt(server.forge.stores.db, id, { state });
    return id;
  }

  const eventsAfter = async (cursor: string) => (await server.forge.events.readAfter(cursor, 1_000)) as ForgeEvent[];

  describe('the task table, walked over HTTP (PATCH status)', () => {
    for (const from of TASK_STATUSES) {
      for (const to of TASK_STATUSES.filter((s) => s !== from)) {
        const allowed = TASK_TRANSITIONS[from].includes(to);
        it(`${from} → ${to}: ${allowed ? 'moves, with its event' : '409 naming the state and what is allowed'}`, async () => {
          const task = await newTask(from);
          const cursor = server.forge.events.latestId;
          const { status, body } = await server.request('PATCH', `/tasks/${task.id}`, { status: to });
          if (allowed) {
            assert.equal(status, 200, JSON.stringify(body));
            assert.equal(body.status, to);
            const logged = (await eventsAfter(cursor)).filter((e) => e.subject === task.id);
            assert.deepEqual(logged.map((e) => [e.type, (e.data as { status: string }).status]), [['task.updated', to]]);
          } else {
            assert.equal(status, 409, JSON.stringify(body));
            assert.equal(body.error.code, 'FORGE_INVALID_TRANSITION');
            assert.deepEqual(body.error.details, { entity: 'task', id: task.id, state: from, requested: to, allowed: [...TASK_TRANSITIONS[from]] });
            assert.ok(body.error.message.includes(from) && TASK_TRANSITIONS[from].every((s) => body.error.message.includes(s)), body.error.message);
            assert.equal((await server.request('GET', `/tasks/${task.id}`)).body.status, from, 'unchanged');
            assert.deepEqual(await eventsAfter(cursor), [], 'no event for a refused move');
          }
        });
      }
    }

    it('setting the status a task already has changes nothing and is not refused', async () => {
      const task = await newTask('done');
      const { status, body } = await server.request('PATCH', `/tasks/${task.id}`, { status: 'done', title: 'renamed' });
      assert.equal(status, 200);
      assert.deepEqual([body.status, body.title], ['done', 'renamed']);
    });
  });

  describe('the attempt table', () => {
    for (const from of ATTEMPT_STATES) {
      for (const to of ATTEMPT_STATES) {
        const allowed = ATTEMPT_TRANSITIONS[from].includes(to);
        it(`${from} → ${to}: ${allowed ? 'moves, with its event' : 'refused with a 409 naming the state and what is allowed'}`, async () => {
          const id = await newAttempt(from);
          const cursor = server.forge.events.latestId;
          const move = server.forge.lifecycles.attempts.move(id, to, { reopen: true });
          if (allowed) {
            assert.equal((await move).state, to);
            assert.equal((await server.forge.stores.attempts.get(id))!.state, to);
            const logged = (await eventsAfter(cursor)).filter((e) => e.subject === id);
            assert.deepEqual(logged.map((e) => [e.type, (e.data as { state: string }).state]), [['attempt.updated', to]]);
          } else {
            const error = await move.then(
              () => assert.fail('the move was not refused'),
              (e: unknown) => e as ForgeError,
            );
            assert.ok(error instanceof ForgeError);
            assert.equal(error.code, 'FORGE_INVALID_TRANSITION');
            assert.equal(toBoom(error).output.statusCode, 409);
            assert.deepEqual(error.details, { entity: 'attempt', id, state: from, requested: to, allowed: [...ATTEMPT_TRANSITIONS[from]] });
            assert.match(error.message, new RegExp(`is ${from}; it cannot move to ${to}`));
            assert.equal((await server.forge.stores.attempts.get(id))!.state, from, 'unchanged');
            assert.deepEqual(await eventsAfter(cursor), [], 'no event for a refused move');
          }
        });
      }
    }

    it('claims only a queued attempt, and each claim takes a new fencing token', async () => {
      const id = await newAttempt('queued');
      const claimed = await server.forge.lifecycles.attempts.claim(id, 'node-a', new Date(Date.now() + 60_000).toISOString());
      assert.deepEqual([claimed?.state, claimed?.nodeId, claimed?.fencingToken], ['preparing', 'node-a', 1]);
      assert.equal(await server.forge.lifecycles.attempts.claim(id, 'node-b', new Date().toISOString()), undefined);
    });

    it('refuses a write made with a fencing token a later claim has replaced', async () => {
      const id = await newAttempt('queued');
      const lease = new Date(Date.now() + 60_000).toISOString();
      const first = (await server.forge.lifecycles.attempts.claim(id, 'node-a', lease))!;
      // Node a loses its lease; the attempt is queued again and node b claims it.
      await forceAttempt(server.forge.stores.db, id, { state: 'queued' });
      const second = (await server.forge.lifecycles.attempts.claim(id, 'node-b', lease))!;
      assert.equal(second.fencingToken, first.fencingToken + 1);
      const cursor = server.forge.events.latestId;

      for (const stale of [
        server.forge.lifecycles.attempts.move(id, 'running', { fencingToken: first.fencingToken }),
        server.forge.lifecycles.attempts.record(id, { worktreePath: '/elsewhere' }, { inStates: ['preparing'], fencingToken: first.fencingToken }),
      ]) {
        await assert.rejects(stale, (error: ForgeError) => {
          assert.equal(error.code, 'FORGE_STALE_CLAIM');
          assert.equal(toBoom(error).output.statusCode, 409);
          assert.deepEqual([error.details?.fencingToken, error.details?.heldToken], [second.fencingToken, first.fencingToken]);
          return true;
        });
      }
      const now = (await server.forge.stores.attempts.get(id))!;
      assert.deepEqual([now.state, now.nodeId, now.worktreePath], ['preparing', 'node-b', null], 'the stale writes changed nothing');
      assert.deepEqual(await eventsAfter(cursor), []);
      assert.equal((await server.forge.lifecycles.attempts.move(id, 'running', { fencingToken: second.fencingToken })).state, 'running');
    });
  });
});

describe('state writes', () => {
  const sourceRoot = join(WORKSPACE_ROOT, 'core', 'src');
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
    });
  const outsideLifecycle = files(sourceRoot).filter((f) => !relative(sourceRoot, f).startsWith('lifecycle/'));

  /** The argument text of each call of `name(` in `source`, up to its closing parenthesis. */
  function callArguments(source: string, name: string): string[] {
    const found: string[] = [];
    for (let at = source.indexOf(name); at !== -1; at = source.indexOf(name, at + 1)) {
      let depth = 0;
      let end = at + name.length - 1;
      do {
        const c = source[end++];
        if (c === '(') depth++;
        else if (c === ')') depth--;
      } while (depth > 0 && end < source.length);
      found.push(source.slice(at, end));
    }
    return found;
  }

  it('no file outside core/src/lifecycle writes a state or status column', () => {
    const offenders: string[] = [];
    for (const file of outsideLifecycle) {
      const source = readFileSync(file, 'utf8');
      // Only code that builds SQL can write a column; elsewhere `update({ status })` is a call into a lifecycle.
      const buildsSql = /\bdb\(|\.raw\(/.test(source);
      for (const call of buildsSql ? [...callArguments(source, '.update('), ...callArguments(source, '.insert(')] : []) {
        if (/\b(state|status)\b\s*:|['"](state|status)['"]/.test(call)) offenders.push(`${relative(WORKSPACE_ROOT, file)}: ${call.slice(0, 120)}`);
      }
      if (/UPDATE\s+(attempts|tasks|processes)\s+SET/i.test(source)) offenders.push(`${relative(WORKSPACE_ROOT, file)}: raw UPDATE`);
      // The row mappers that carry a state (toRowPatch, TASK_COLUMNS) are defined in the stores, used only by the lifecycles.
      const isStore = /store\/(attempt|task)-store\.ts$/.test(file);
      if (!isStore && /\btoRowPatch\(|\bTASK_COLUMNS\b/.test(source)) offenders.push(`${relative(WORKSPACE_ROOT, file)}: uses a state row mapper`);
    }
    assert.deepEqual(offenders, []);
  });

  it('the check finds a state write where there is one', () => {
    const lifecycle = readFileSync(join(sourceRoot, 'lifecycle', 'attempt-lifecycle.ts'), 'utf8');
    assert.ok(callArguments(lifecycle, '.update(').some((call) => /\bstate\b\s*:/.test(call)));
  });
});
