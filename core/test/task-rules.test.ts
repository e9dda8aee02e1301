import assert from 'node:assert/strict';
import type { ForgeEvent } from '../src/events/event-log.ts';
import { processesOfAttempt } from './support/attempt-processes.ts';
import { git } from './support/git-repo.ts';
import { startServerWithProject, type ServerWithProject, type TestServer } from './support/test-server.ts';

describe('the rules a task follows (decision 0022)', () => {
  let fixture: ServerWithProject;
  let server: TestServer;
  let repo: string;
  let projectId: string;

  before(async () => {
    fixture = await startServerWithProject();
    ({ server, repo, projectId } = fixture);
  });

  after(() => fixture.close());

  const status = async (taskId: string) => (await server.request('GET', `/tasks/${taskId}`)).body.status;

  async function finishedAttempt(file = 'a.txt') {
    const task = (await server.request('POST', '/tasks', { projectId, title: `write ${file}` })).body;
    const started = await server.request('POST', `/tasks/${task.id}/attempts`, { executor: 'script', options: { command: `echo one >> ${file}` } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const done = await server.waitForAttempt(started.body.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    return { taskId: task.id as string, attempt: done };
  }

  for (const closed of ['done', 'cancelled'] as const) {
    it(`refuses a new attempt on a ${closed} task with 409 FORGE_TASK_CLOSED, and starts one that says reopen`, async () => {
      const task = (await server.request('POST', '/tasks', { projectId, title: `a ${closed} task`, status: closed })).body;
      const body = { executor: 'script', options: { command: 'true' } };
      const refused = await server.request('POST', `/tasks/${task.id}/attempts`, body);
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, 'FORGE_TASK_CLOSED');
      assert.match(refused.body.error.message, /"reopen": true/);
      assert.deepEqual((await server.request('GET', `/tasks/${task.id}/attempts`)).body.items, [], 'no attempt was recorded');
      assert.equal(await status(task.id), closed);

      const reopened = await server.request('POST', `/tasks/${task.id}/attempts`, { ...body, reopen: true });
      assert.equal(reopened.status, 202, JSON.stringify(reopened.body));
      assert.equal(await status(task.id), 'inprogress', 'the task is in progress as soon as the start is answered');
      assert.equal((await server.waitForAttempt(reopened.body.id)).state, 'succeeded');
      assert.equal(await status(task.id), 'inreview');
    });
  }

  it("refuses a follow-up on an attempt of a closed task unless it says reopen, which brings the task back", async () => {
    const { taskId, attempt } = await finishedAttempt('follow.txt');
    assert.equal((await server.request('PATCH', `/tasks/${taskId}`, { status: 'cancelled' })).status, 200);
    const refused = await server.request('POST', `/attempts/${attempt.id}/follow-up`, { prompt: 'more' });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'FORGE_TASK_CLOSED');
    assert.equal((await server.request('GET', `/attempts/${attempt.id}`)).body.state, 'succeeded', 'the attempt was not queued');

    const accepted = await server.request('POST', `/attempts/${attempt.id}/follow-up`, { prompt: 'more', reopen: true });
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    assert.equal((await server.waitForAttempt(attempt.id)).state, 'succeeded');
    assert.equal(await status(taskId), 'inreview');
  });

  it('merges an attempt once: merging it again is refused with FORGE_ALREADY_MERGED and leaves the base as it was', async () => {
    const { taskId, attempt } = await finishedAttempt('merged.txt');
    const merged = await server.request('POST', `/attempts/${attempt.id}/merge`);
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    assert.equal(await status(taskId), 'done');
    const base = git(repo, 'rev-parse', 'main');

    const again = await server.request('POST', `/attempts/${attempt.id}/merge`);
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.equal(again.body.error.code, 'FORGE_ALREADY_MERGED');
    assert.equal(again.body.error.details.mergeCommit, merged.body.mergeCommit);
    assert.equal(git(repo, 'rev-parse', 'main'), base, 'no commit was added to the base');
  });

  it("takes no follow-up on a merged attempt, even with reopen: its work is final, and a new attempt continues it", async () => {
    const { taskId, attempt } = await finishedAttempt('final.txt');
    assert.equal((await server.request('POST', `/attempts/${attempt.id}/merge`)).status, 200);
    for (const reopen of [false, true]) {
      const refused = await server.request('POST', `/attempts/${attempt.id}/follow-up`, { prompt: 'more', reopen });
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, 'FORGE_ALREADY_MERGED');
      assert.match(refused.body.error.message, /new attempt/);
    }
    const next = await server.request('POST', `/tasks/${taskId}/attempts`, { executor: 'script', options: { command: 'cat final.txt' }, reopen: true });
    assert.equal(next.status, 202, JSON.stringify(next.body));
    const done = await server.waitForAttempt(next.body.id);
    assert.equal(done.state, 'succeeded', 'the new attempt starts from the base that holds the merged work');
  });

  it('records when the worktree was ready and when the agent started, for each run', async () => {
    const { attempt } = await finishedAttempt('phases.txt');
    const order = (a: Record<string, string>) => ['createdAt', 'startedAt', 'worktreeReadyAt', 'agentStartedAt', 'finishedAt'].map((k) => a[k]!);
    const first = order(attempt);
    assert.ok(first.every(Boolean), JSON.stringify(attempt));
    assert.deepEqual([...first].sort(), first, 'each phase after the one before');

    const followed = await server.request('POST', `/attempts/${attempt.id}/follow-up`, { prompt: 'again' });
    assert.equal(followed.status, 202);
    const again = await server.waitForAttempt(attempt.id);
    const second = order(again);
    assert.deepEqual([...second].sort(), second);
    assert.ok(second[3]! > first[4]!, 'the follow-up has its own agent start, after the first run finished');
  });

  it('logs the attempt losing its worktree when its task is closed', async () => {
    const { taskId, attempt } = await finishedAttempt('closed.txt');
    const cursor = server.forge.events.latestId;
    assert.equal((await server.request('PATCH', `/tasks/${taskId}`, { status: 'done' })).status, 200);
    const events = (await server.forge.events.readAfter(cursor, 100)) as ForgeEvent[];
    const released = events.find((e) => e.type === 'attempt.updated' && e.subject === attempt.id);
    assert.equal((released?.data as { worktreePath: string | null } | undefined)?.worktreePath, null, JSON.stringify(events));
    assert.deepEqual(
      events.filter((e) => e.subject === taskId).map((e) => [e.type, (e.data as { status: string }).status]),
      [['task.updated', 'done']],
    );
  });
  describe('races', () => {
    const started = (taskId: string, command: string) => server.request('POST', `/tasks/${taskId}/attempts`, { executor: 'script', options: { command } });
    const live = (a: { state: string }) => ['queued', 'preparing', 'running'].includes(a.state);

    it('a start racing the close of its task either is refused or is stopped by the close: no closed task runs an attempt', async () => {
      for (const delayMs of [0, 5, 20, 60]) {
        const task = (await server.request('POST', '/tasks', { projectId, title: `close race ${delayMs}` })).body;
        assert.equal((await started(task.id, 'sleep 1')).status, 202);
        const [closed, start] = await Promise.all([
          server.request('PATCH', `/tasks/${task.id}`, { status: 'done' }),
          new Promise((resolve) => setTimeout(resolve, delayMs)).then(() => started(task.id, 'sleep 2; echo x > y.txt')),
        ]);
        assert.equal(closed.status, 200, JSON.stringify(closed.body));
        assert.ok(start.status === 202 || (start.status === 409 && start.body.error.code === 'FORGE_TASK_CLOSED'), JSON.stringify(start.body));
        const attempts = await server.waitFor(async () => {
          const items = (await server.request('GET', `/tasks/${task.id}/attempts`)).body.items as Array<{ state: string }>;
          return items.every((a) => !live(a)) && items;
        });
        assert.equal(await status(task.id), 'done');
        for (const attempt of attempts as Array<{ state: string; worktreePath: string | null; error: { code: string } | null }>) {
          assert.equal(attempt.worktreePath, null, 'a closed task keeps no worktree');
          assert.notEqual(attempt.error?.code, 'FORGE_COMMIT_FAILED', 'no worktree was pulled from under a running agent');
        }
      }
    });

    it('a start racing the deletion of its task leaves no attempt and no process behind', async () => {
      for (const delayMs of [0, 10, 40]) {
        const task = (await server.request('POST', '/tasks', { projectId, title: `delete race ${delayMs}` })).body;
        const [removed, start] = await Promise.all([
          server.request('DELETE', `/tasks/${task.id}`),
          new Promise((resolve) => setTimeout(resolve, delayMs)).then(() => started(task.id, 'sleep 30')),
        ]);
        assert.equal(removed.status, 204, JSON.stringify(removed.body));
        assert.ok([202, 404].includes(start.status), JSON.stringify(start.body));
        assert.equal((await server.request('GET', `/tasks/${task.id}`)).status, 404);
        if (start.status === 202) {
          assert.equal((await server.request('GET', `/attempts/${start.body.id}`)).status, 404);
          await server.waitFor(async () => processesOfAttempt(start.body.id).length === 0);
        }
      }
    });

    it('a merge racing a follow-up: one of them wins, and a merged attempt never runs again', async () => {
      for (const delayMs of [0, 5, 20, 40]) {
        const { attempt } = await finishedAttempt(`race-${delayMs}.txt`);
        const [merged, followed] = await Promise.all([
          server.request('POST', `/attempts/${attempt.id}/merge`),
          new Promise((resolve) => setTimeout(resolve, delayMs)).then(() =>
            server.request('POST', `/attempts/${attempt.id}/follow-up`, { prompt: 'more', reopen: true }),
          ),
        ]);
        const after = await server.waitFor(async () => {
          const now = (await server.request('GET', `/attempts/${attempt.id}`)).body;
          return !live(now) && now;
        });
        if (merged.status === 200) {
          assert.equal(followed.status, 409, JSON.stringify(followed.body));
          assert.equal(followed.body.error.code, 'FORGE_ALREADY_MERGED');
          assert.equal(after.mergeCommit, merged.body.mergeCommit);
        } else {
          assert.equal(merged.status, 409, JSON.stringify(merged.body));
          assert.equal(followed.status, 202, JSON.stringify(followed.body));
          assert.equal(after.mergeCommit, null);
        }
      }
    });
  });

  it('takes reopen only as a JSON boolean', async () => {
    const task = (await server.request('POST', '/tasks', { projectId, title: 'strict', status: 'done' })).body;
    for (const reopen of ['true', 1, null, 'yes']) {
      const answer = await server.request('POST', `/tasks/${task.id}/attempts`, { executor: 'script', options: { command: 'true' }, reopen });
      assert.equal(answer.status, 400, `${JSON.stringify(reopen)}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, 'FORGE_VALIDATION_FAILED');
    }
    assert.equal(await status(task.id), 'done');
  });

  it('setting what a task already has writes nothing and logs no event', async () => {
    const task = (await server.request('POST', '/tasks', { projectId, title: 'same', status: 'done' })).body;
    const cursor = server.forge.events.latestId;
    const same = await server.request('PATCH', `/tasks/${task.id}`, { status: 'done', title: 'same' });
    assert.equal(same.status, 200);
    assert.equal(same.body.updatedAt, task.updatedAt);
    assert.deepEqual(await server.forge.events.readAfter(cursor, 10), []);
  });
});
