import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './support/temp-dir.ts';
import { startServerWithProject, type ServerWithProject } from './support/test-server.ts';

/**
 * Issue 13, first steps: queued attempts start in their task's priority order, highest first,
 * then first queued first (before, the queue ran by id and `priority` misled); a parent task
 * shows its subtasks' progress.
 */
describe('the order queued attempts start in, and subtask progress', () => {
  let setup: ServerWithProject;
  let dirs: ReturnType<typeof tempDir>;

  before(async () => {
    setup = await startServerWithProject({ env: { FORGE_MAX_CONCURRENT_ATTEMPTS: '1' } });
    dirs = tempDir('forge-queue-');
  });

  after(async () => {
    await setup.close();
    dirs.cleanup();
  });

  async function start(title: string, priority: number, command: string): Promise<string> {
    const task = await setup.server.request('POST', '/tasks', { projectId: setup.projectId, title, priority });
    assert.equal(task.status, 201, JSON.stringify(task.body));
    const attempt = await setup.server.request('POST', `/tasks/${task.body.id}/attempts`, { executor: 'script', options: { command } });
    assert.equal(attempt.status, 202, JSON.stringify(attempt.body));
    return attempt.body.id;
  }

  it('starts the highest priority first, and equal priorities in the order they were queued', async () => {
    const gate = join(dirs.path, 'go');
    // One slot, held until every other attempt is queued behind it.
    const blocker = await start('blocker', 0, `while [ ! -f '${gate}' ]; do sleep 0.05; done`);
    await setup.server.waitFor(async () => (await setup.server.request('GET', `/attempts/${blocker}`)).body.state === 'running');
    const queued = [
      ['low', -5],
      ['high first', 10],
      ['middle', 3],
      ['high second', 10],
      ['zero', 0],
    ] as const;
    const ids = new Map<string, string>();
    for (const [title, priority] of queued) ids.set(title, await start(title, priority, 'echo done'));
    const position = async (title: string) => (await setup.server.request('GET', `/attempts/${ids.get(title)}`)).body.queuePosition;
    assert.deepEqual(
      await Promise.all(['high first', 'high second', 'middle', 'zero', 'low'].map(position)),
      [1, 2, 3, 4, 5],
      'each shows its place in the queue',
    );
    assert.equal((await setup.server.request('GET', `/attempts/${blocker}`)).body.queuePosition, null, 'a running attempt has none');
    assert.equal(existsSync(gate), false);
    writeFileSync(gate, '');
    const finished = await Promise.all([...ids].map(async ([title, id]) => ({ title, attempt: await setup.server.waitForAttempt(id, 60_000) })));
    const order = finished.sort((a, b) => a.attempt.startedAt.localeCompare(b.attempt.startedAt)).map((entry) => entry.title);
    assert.deepEqual(order, ['high first', 'high second', 'middle', 'zero', 'low']);
  });

  it('shows a parent how many of its subtasks are in each status', async () => {
    const parent = await setup.server.request('POST', '/tasks', { projectId: setup.projectId, title: 'parent' });
    assert.deepEqual((await setup.server.request('GET', `/tasks/${parent.body.id}`)).body.subtasks, { todo: 0, inprogress: 0, inreview: 0, done: 0, cancelled: 0 });
    const child = async (title: string) => (await setup.server.request('POST', '/tasks', { projectId: setup.projectId, title, parentTaskId: parent.body.id })).body.id;
    await child('a');
    await child('b');
    const cancelled = await child('c');
    assert.equal((await setup.server.request('PATCH', `/tasks/${cancelled}`, { status: 'cancelled' })).status, 200);
    const grandchildParent = await child('d');
    await setup.server.request('POST', '/tasks', { projectId: setup.projectId, title: 'grandchild', parentTaskId: grandchildParent });
    const shown = (await setup.server.request('GET', `/tasks/${parent.body.id}`)).body.subtasks;
    assert.deepEqual(shown, { todo: 3, inprogress: 0, inreview: 0, done: 0, cancelled: 1 }, 'direct subtasks only');
  });

  it('refuses a parent that is the task\'s own subtask, at any depth, naming the chain', async () => {
    const make = async (title: string, parentTaskId?: string) => (await setup.server.request('POST', '/tasks', { projectId: setup.projectId, title, ...(parentTaskId && { parentTaskId }) })).body.id as string;
    const top = await make('top');
    const middle = await make('middle', top);
    const bottom = await make('bottom', middle);
    for (const parentTaskId of [middle, bottom]) {
      const refused = await setup.server.request('PATCH', `/tasks/${top}`, { parentTaskId });
      assert.equal(refused.status, 422, JSON.stringify(refused.body));
      assert.equal(refused.body.error.details.field, 'parentTaskId');
      assert.equal(refused.body.error.details.chain[0], top);
      assert.equal(refused.body.error.details.chain.at(-1), parentTaskId);
    }
    assert.equal((await setup.server.request('PATCH', `/tasks/${bottom}`, { parentTaskId: top })).status, 200, 'moving a task up its own tree is fine');
  });
});
