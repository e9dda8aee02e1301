import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { withRepoLock } from '../src/worktrees/repo-lock.ts';
import { git, makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

// The timer's passes never come during a test: each pass here is one the test runs and awaits.
const NO_TIMER = { FORGE_RECONCILE_INTERVAL_MS: String(3_600_000) };

function forgeBranches(repo: string): string[] {
  return git(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/forge/').split('\n').filter(Boolean);
}

function keptHeads(repo: string): Map<string, string> {
  const out = git(repo, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/forge/attempts/');
  return new Map(out.split('\n').filter(Boolean).map((line) => [line.split(' ')[0]!.slice('refs/forge/attempts/'.length), line.split(' ')[1]!]));
}

function registered(repo: string, path: string): boolean {
  return git(repo, 'worktree', 'list', '--porcelain').split('\n').includes(`worktree ${path}`);
}

describe('retention of finished work', function () {
  this.timeout(120_000);
  let repos: ReturnType<typeof tempDir>;
  before(() => (repos = tempDir('forge-retention-')));
  after(() => repos.cleanup());

  async function setUp(server: TestServer, name: string) {
    const repo = makeRepo(join(repos.path, name));
    const projectId = (await server.request('POST', '/projects', { name, repoPath: repo })).body.id as string;
    const newTask = async (title: string) => (await server.request('POST', '/tasks', { projectId, title })).body.id as string;
    const run = async (taskId: string, command: string) => {
      const queued = await server.request('POST', `/tasks/${taskId}/attempts`, { executor: 'script', options: { command } });
      assert.equal(queued.status, 202, JSON.stringify(queued.body));
      const done = await server.waitForAttempt(queued.body.id);
      assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
      return done;
    };
    const followUp = async (attemptId: string, reopen?: boolean) => {
      const queued = await server.request('POST', `/attempts/${attemptId}/follow-up`, { prompt: 'more', reopen });
      assert.equal(queued.status, 202, JSON.stringify(queued.body));
      const done = await server.waitForAttempt(attemptId);
      assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
      return done;
    };
    return { repo, projectId, newTask, run, followUp };
  }

  describe('with both ages at zero', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ ...NO_TIMER, FORGE_FINISHED_WORKTREE_RETENTION_MS: '0', FORGE_CLOSED_BRANCH_RETENTION_MS: '0' });
      await server.forge.housekeeping(); // the start's own pass is over
    });
    after(() => server.close());

    it("removes a finished attempt's worktree, keeps its branch with any edits left in it, and a follow-up brings the worktree back", async () => {
      const { repo, newTask, run, followUp } = await setUp(server, 'worktrees');
      const first = await run(await newTask('idle worktree'), 'echo one >> work.txt');
      writeFileSync(join(first.worktreePath, 'by-hand.txt'), 'edited after the attempt\n');

      const { retention } = await server.forge.housekeeping();
      assert.deepEqual(retention.removedWorktrees, [first.worktreePath]);
      assert.equal(existsSync(first.worktreePath), false);
      assert.equal(registered(repo, first.worktreePath), false, 'git no longer lists it');
      assert.equal((await server.request('GET', `/attempts/${first.id}`)).body.worktreePath, null);
      assert.deepEqual(forgeBranches(repo), [first.branch], 'the branch stays');
      assert.equal(git(repo, 'show', `${first.branch}:by-hand.txt`), 'edited after the attempt', 'the edit made by hand is committed on it');
      assert.deepEqual((await server.request('GET', `/attempts/${first.id}/diff`)).body.files.map((f: any) => f.path).sort(), ['by-hand.txt', 'work.txt']);

      const again = await followUp(first.id);
      assert.equal(again.worktreePath, first.worktreePath, 'the worktree is back where it was');
      assert.equal(readFileSync(join(again.worktreePath, 'work.txt'), 'utf8'), 'one\none\n', 'on top of the earlier work');
      assert.ok(existsSync(join(again.worktreePath, 'by-hand.txt')));
    });

    it("deletes the branches of a done or cancelled task, keeps each last commit under a hidden ref, and a follow-up brings the branch back", async () => {
      const { repo, newTask, run, followUp } = await setUp(server, 'branches');
      const doneTask = await newTask('finished work');
      const firstTry = await run(doneTask, 'echo first >> a.txt');
      const secondTry = await run(doneTask, 'echo second > a.txt');
      const cancelledTask = await newTask('given up');
      const abandoned = await run(cancelledTask, 'echo abandoned > b.txt');
      const inReview = await run(await newTask('still in review'), 'echo review > c.txt');
      const heads = new Map([firstTry, secondTry, abandoned].map((a) => [a.id, git(repo, 'rev-parse', a.branch)]));
      assert.equal((await server.request('PATCH', `/tasks/${doneTask}`, { status: 'done' })).status, 200);
      assert.equal((await server.request('PATCH', `/tasks/${cancelledTask}`, { status: 'cancelled' })).status, 200);

      const { retention } = await server.forge.housekeeping();
      assert.deepEqual(retention.deletedBranches.sort(), [firstTry.branch, secondTry.branch, abandoned.branch].sort());
      assert.deepEqual(forgeBranches(repo), [inReview.branch], 'only the branch of the task in review is left in git branch');
      assert.deepEqual(keptHeads(repo), heads, 'each deleted branch has its last commit kept');

      const diff = await server.request('GET', `/attempts/${secondTry.id}/diff`);
      assert.equal(diff.status, 200, JSON.stringify(diff.body));
      assert.equal(diff.body.headCommit, heads.get(secondTry.id), 'the diff reads the kept commit');

      // Its task is done: the follow-up reopens it (decision 0022).
      const resumed = await followUp(firstTry.id, true);
      assert.ok(forgeBranches(repo).includes(firstTry.branch), 'the follow-up made the branch again');
      assert.equal(git(repo, 'rev-parse', `${firstTry.branch}~1`), heads.get(firstTry.id), 'from the kept commit');
      assert.equal(readFileSync(join(resumed.worktreePath, 'a.txt'), 'utf8'), 'first\nfirst\n');
    });

    it('leaves no forge branch and no kept commit behind tasks that were done or deleted, however many attempts each had', async () => {
      const { repo, projectId, newTask, run } = await setUp(server, 'many');
      const tasks: string[] = [];
      for (let i = 0; i < 6; i++) {
        const taskId = await newTask(`task ${i}`);
        for (let k = 0; k <= i % 3; k++) await run(taskId, `echo ${i}-${k} > f.txt`);
        tasks.push(taskId);
      }
      assert.equal(forgeBranches(repo).length, 12);
      for (const [i, taskId] of tasks.entries()) {
        const closed = i % 2 ? await server.request('DELETE', `/tasks/${taskId}`) : await server.request('PATCH', `/tasks/${taskId}`, { status: 'done' });
        assert.ok([200, 204].includes(closed.status), JSON.stringify(closed.body));
      }
      assert.equal(forgeBranches(repo).length, 6, "deleting a task deletes its branches at once; the done tasks' wait for the retention");

      await server.forge.housekeeping();
      assert.deepEqual(forgeBranches(repo), []);
      assert.equal(keptHeads(repo).size, 6, 'one kept commit per attempt of the done tasks, none for the deleted ones');

      // A deleted done task's kept commits go at the next pass; a deleted project's at once.
      await server.request('DELETE', `/tasks/${tasks[0]}`);
      const { reconcile } = await server.forge.housekeeping();
      assert.equal(reconcile.deletedKeptHeads.length, 1);
      assert.equal(keptHeads(repo).size, 5);
      assert.equal((await server.request('DELETE', `/projects/${projectId}`)).status, 204);
      assert.equal(keptHeads(repo).size, 0);
    });
  });

  describe('with ages not reached yet', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ ...NO_TIMER, FORGE_FINISHED_WORKTREE_RETENTION_MS: '3600000', FORGE_CLOSED_BRANCH_RETENTION_MS: '3600000' });
      await server.forge.housekeeping();
    });
    after(() => server.close());

    it('keeps the worktree of a task in review and the branches of a done task', async () => {
      const { repo, newTask, run } = await setUp(server, 'young');
      const reviewed = await run(await newTask('in review'), 'echo r > r.txt');
      const doneTask = await newTask('done');
      const done = await run(doneTask, 'echo d > d.txt');
      await server.request('PATCH', `/tasks/${doneTask}`, { status: 'done' });

      const { retention } = await server.forge.housekeeping();
      assert.deepEqual(retention, { removedWorktrees: [], pooledWorktrees: [], deletedBranches: [] });
      assert.ok(existsSync(reviewed.worktreePath) && registered(repo, reviewed.worktreePath));
      assert.deepEqual(forgeBranches(repo).sort(), [reviewed.branch, done.branch].sort());
    });
  });

  describe('closing a task', () => {
    let server: TestServer;
    before(async () => (server = await startTestServer(NO_TIMER)));
    after(() => server.close());

    it('removes the worktree of an attempt stopped while it was still making it', async () => {
      const { repo, projectId, newTask } = await setUp(server, 'closing');
      const taskId = await newTask('closed while preparing');
      // Holding the repository lock keeps the attempt in the middle of making its worktree.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const holding = withRepoLock(repo, () => gate);
      const attemptId = (await server.request('POST', `/tasks/${taskId}/attempts`, { executor: 'script', options: { command: 'true' } })).body.id;
      await server.waitFor(async () => (await server.request('GET', `/attempts/${attemptId}`)).body.state === 'preparing');
      // The close reads the task's attempts (no worktree recorded yet), then waits for the stop.
      const attempts = server.forge.stores.attempts;
      const listByTask = attempts.listByTask.bind(attempts);
      let read!: () => void;
      const wasRead = new Promise<void>((resolve) => (read = resolve));
      attempts.listByTask = async (id: string) => {
        const listed = await listByTask(id);
        read();
        return listed;
      };
      const closing = server.request('PATCH', `/tasks/${taskId}`, { status: 'cancelled' });
      await wasRead;
      release();
      await holding;
      assert.equal((await closing).status, 200);
      attempts.listByTask = listByTask;

      const attempt = (await server.request('GET', `/attempts/${attemptId}`)).body;
      assert.equal(attempt.state, 'cancelled');
      assert.equal(attempt.worktreePath, null);
      assert.equal(existsSync(join(server.home, 'worktrees', projectId, attempt.id)), false);
      assert.equal(git(repo, 'worktree', 'list').split('\n').length, 1, 'git lists no worktree of it');
    });
  });

  it('defaults to a week for finished worktrees and to the next pass for closed tasks’ branches', () => {
    const config = loadConfig({ FORGE_HOME: repos.path });
    assert.equal(config.finishedWorktreeRetentionMs, 7 * 24 * 3_600_000);
    assert.equal(config.closedBranchRetentionMs, 0);
  });
});
