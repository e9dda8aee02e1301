import assert from 'node:assert/strict';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

/**
 * Issue 7 item 10: a project whose repository was deleted or moved after it was registered.
 * Every route that needs the repository answers 409 FORGE_REPOSITORY_MISSING naming the path;
 * deleting its tasks and the project still works.
 */
describe('a project whose repository is gone', () => {
  let server: TestServer;
  let dirs: ReturnType<typeof tempDir>;

  before(async () => {
    server = await startTestServer();
    dirs = tempDir('forge-missing-');
  });

  after(async () => {
    await server.close();
    dirs.cleanup();
  });

  const ways: Array<[string, (repo: string) => string | null]> = [
    ['deleted (rm -rf)', (repo) => (rmSync(repo, { recursive: true, force: true }), null)],
    ['moved (renamed)', (repo) => (renameSync(repo, `${repo}-moved`), `${repo}-moved`)],
  ];

  for (const [how, loseRepository] of ways) {
    describe(`when it was ${how}`, () => {
      let repo: string;
      let movedTo: string | null;
      let projectId: string;
      let finished: any; // a finished attempt with its worktree
      let runningId: string; // holds the project's only slot while the repository goes
      let queuedId: string; // waits for that slot; runs only after the repository is gone

      async function newTask(title: string): Promise<string> {
        const { status, body } = await server.request('POST', '/tasks', { projectId, title });
        assert.equal(status, 201, JSON.stringify(body));
        return body.id;
      }

      async function start(taskId: string, command: string): Promise<string> {
        const { status, body } = await server.request('POST', `/tasks/${taskId}/attempts`, { executor: 'script', options: { command } });
        assert.equal(status, 202, JSON.stringify(body));
        return body.id;
      }

      function assertMissing(answer: { status: number; body: any }, what: string): void {
        assert.equal(answer.status, 409, `${what}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.error.code, 'FORGE_REPOSITORY_MISSING', what);
        assert.ok(answer.body.error.message.includes(`gone from ${repo}`), `${what} names the path: ${answer.body.error.message}`);
        assert.match(answer.body.error.message, /Restore it at that path, or delete the project/, what);
        assert.deepEqual(answer.body.error.details, { projectId, repoPath: repo });
      }

      before(async () => {
        const name = how.startsWith('deleted') ? 'deleted' : 'moved';
        repo = makeRepo(join(dirs.path, name));
        git(dirs.path, 'init', '-q', '--bare', `${name}-origin.git`);
        git(repo, 'remote', 'add', 'origin', join(dirs.path, `${name}-origin.git`));
        const created = await server.request('POST', '/projects', { name, repoPath: repo, maxConcurrentAttempts: 1 });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        projectId = created.body.id;
        finished = await server.waitForAttempt(await start(await newTask('Finished'), 'echo done > done.txt'));
        assert.equal(finished.state, 'succeeded', JSON.stringify(finished.error));
        runningId = await start(await newTask('Running'), 'sleep 60');
        await server.waitFor(async () => (await server.request('GET', `/attempts/${runningId}`)).body.state === 'running');
        queuedId = await start(await newTask('Queued'), 'echo late > late.txt');
        movedTo = loseRepository(repo);
      });

      it('answers 409 FORGE_REPOSITORY_MISSING with the path on diff, rebase, merge, push, start, follow-up and a defaultBranch change', async () => {
        const attempt = `/attempts/${finished.id}`;
        assertMissing(await server.request('GET', `${attempt}/diff`), 'diff');
        assertMissing(await server.request('POST', `${attempt}/rebase`), 'rebase');
        assertMissing(await server.request('POST', `${attempt}/merge`), 'merge');
        assertMissing(await server.request('POST', `${attempt}/push`), 'push');
        assertMissing(await server.request('POST', `${attempt}/push`, { branch: 'base' }), 'push of the base');
        assertMissing(await server.request('POST', `${attempt}/follow-up`, { prompt: 'more' }), 'follow-up');
        assertMissing(await server.request('POST', `/tasks/${finished.taskId}/attempts`, { executor: 'script', options: { command: 'true' } }), 'start');
        assertMissing(await server.request('PATCH', `/projects/${projectId}`, { defaultBranch: 'main' }), 'PATCH defaultBranch');
        // What does not need the repository still works.
        const renamed = await server.request('PATCH', `/projects/${projectId}`, { name: 'renamed' });
        assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
        assert.equal((await server.request('GET', attempt)).status, 200);
        assert.equal((await server.request('GET', `${attempt}/processes`)).status, 200);
      });

      it('fails an attempt that was queued before the repository went with FORGE_REPOSITORY_MISSING', async () => {
        assert.equal((await server.request('POST', `/attempts/${runningId}/stop`)).status, 200);
        const queued = await server.waitForAttempt(queuedId);
        assert.equal(queued.state, 'failed');
        assert.equal(queued.error.code, 'FORGE_REPOSITORY_MISSING', JSON.stringify(queued.error));
        assert.ok(queued.error.message.includes(repo));
      });

      it('still closes and deletes tasks, then deletes the project, removing their worktree directories and leaving the repository alone', async () => {
        assert.ok(existsSync(finished.worktreePath));
        const closed = await server.request('PATCH', `/tasks/${finished.taskId}`, { status: 'done' });
        assert.equal(closed.status, 200, JSON.stringify(closed.body));
        assert.equal(existsSync(finished.worktreePath), false, 'closing a task removes its worktree directory');
        const task = await server.request('DELETE', `/tasks/${finished.taskId}`);
        assert.equal(task.status, 204, JSON.stringify(task.body));
        assert.equal((await server.request('GET', `/tasks/${finished.taskId}`)).status, 404);

        const { body: stopped } = await server.request('GET', `/attempts/${runningId}`);
        assert.ok(existsSync(stopped.worktreePath), 'the stopped attempt still has its worktree directory');
        const project = await server.request('DELETE', `/projects/${projectId}`);
        assert.equal(project.status, 204, JSON.stringify(project.body));
        assert.equal((await server.request('GET', `/projects/${projectId}`)).status, 404);
        assert.equal((await server.request('GET', `/tasks/${stopped.taskId}`)).status, 404);
        assert.equal((await server.request('GET', `/attempts/${runningId}`)).status, 404);
        assert.equal(existsSync(join(server.home, 'worktrees', projectId)), false, "the project's worktree directories are removed");
        if (movedTo) assert.equal(git(movedTo, 'log', '-1', '--format=%s', 'main'), 'initial commit', 'the moved repository is untouched');
      });
    });
  }
});
