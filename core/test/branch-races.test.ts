import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { git, makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

type Answer = { status: number; body: any };
type Four<T> = [T, T, T, T];

/**
 * The branch operations of an attempt (diff, merge, rebase) while its task is closed or deleted,
 * its worktree removed by hand, its base branch renamed, or its repository replaced: each answers
 * a 4xx with a stable code, never a 500, and a merge lands whole or not at all.
 */
describe('branch operations racing task close and delete, and a changed repository', function () {
  // Dozens of real attempts on a 2-core machine shared with other work.
  this.timeout(180_000);
  let server: TestServer;
  let dirs: ReturnType<typeof tempDir>;

  before(async () => {
    server = await startTestServer();
    dirs = tempDir('forge-branch-races-');
  });

  after(async () => {
    await server.close();
    dirs.cleanup();
  });

  async function newProject(name: string): Promise<{ repo: string; projectId: string }> {
    const repo = makeRepo(join(dirs.path, name));
    const { status, body } = await server.request('POST', '/projects', { name, repoPath: repo });
    assert.equal(status, 201, JSON.stringify(body));
    return { repo, projectId: body.id };
  }

  /** `count` finished attempts of as many tasks, attempt i having written `file-i.txt`. */
  async function finishedAttempts(projectId: string, count: number, baseBranch?: string): Promise<any[]> {
    const started = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const task = await server.request('POST', '/tasks', { projectId, title: `Write file ${i}` });
        assert.equal(task.status, 201, JSON.stringify(task.body));
        const attempt = await server.request('POST', `/tasks/${task.body.id}/attempts`, {
          executor: 'script',
          options: { command: `echo change ${i} > file-${i}.txt` },
          ...(baseBranch ? { baseBranch } : {}),
        });
        assert.equal(attempt.status, 202, JSON.stringify(attempt.body));
        return attempt.body.id as string;
      }),
    );
    const done = await Promise.all(started.map((id) => server.waitForAttempt(id, 150_000)));
    for (const attempt of done) assert.equal(attempt.state, 'succeeded', JSON.stringify(attempt.error));
    return done;
  }

  /** The answer is one of `allowed` ("200", or "409 FORGE_CONFLICT"): never a 500 or a stray code. */
  function assertOneOf(answer: Answer, allowed: string[], what: string): string {
    const seen = answer.status < 300 ? String(answer.status) : `${answer.status} ${answer.body?.error?.code}`;
    assert.ok(allowed.includes(seen), `${what}: ${seen} is not one of ${allowed.join(', ')}: ${JSON.stringify(answer.body)}`);
    if (answer.status >= 400) assert.ok(answer.body.error.message.length > 0, `${what} says why`);
    return seen;
  }

  /**
   * Sends the requests at once, starting with the `first`-th (wrapping round), so that across a
   * burst the close or delete arrives before, between and after the operations it races.
   * Answers come back in the order given.
   */
  function burst(first: number, requests: Four<() => Promise<Answer>>): Promise<Four<Answer>> {
    const started = new Array<Promise<Answer>>(requests.length);
    for (let k = 0; k < requests.length; k++) {
      const i = (first + k) % requests.length;
      started[i] = requests[i]!();
    }
    return Promise.all(started) as Promise<Four<Answer>>;
  }

  it('answers each diff running while its task is deleted with 200, 404 or 409, never a 500', async () => {
    const { repo, projectId } = await newProject('deleted-during-diff');
    const attempts = await finishedAttempts(projectId, 10);
    await Promise.all(
      attempts.map(async (attempt, i) => {
        const [deleted, ...diffs] = await burst(i, [
          () => server.request('DELETE', `/tasks/${attempt.taskId}`),
          () => server.request('GET', `/attempts/${attempt.id}/diff`),
          () => server.request('GET', `/attempts/${attempt.id}/diff`),
          () => server.request('GET', `/attempts/${attempt.id}/diff`),
        ]);
        assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
        for (const diff of diffs) {
          const seen = assertOneOf(diff, ['200', '404 FORGE_NOT_FOUND', '409 FORGE_CONFLICT'], 'diff during DELETE');
          if (seen === '200') assert.deepEqual(diff.body.files.map((f: any) => f.path), [`file-${i}.txt`]);
        }
      }),
    );
    assert.equal(git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length, 1, 'no worktree is left');
    assert.equal(git(repo, 'branch', '--list', 'forge/*'), '', 'no branch is left');
  });

  it('answers merge, diff and rebase running while the task is marked done with 200 or 409, and a merge lands whole or not at all', async () => {
    const { repo, projectId } = await newProject('closed-during-merge');
    const attempts = await finishedAttempts(projectId, 10);
    const before = git(repo, 'rev-parse', 'main');
    const merges: Array<{ attempt: any; answer: Answer }> = [];
    await Promise.all(
      attempts.map(async (attempt, i) => {
        const [closed, merge, diff, rebase] = await burst(i, [
          () => server.request('PATCH', `/tasks/${attempt.taskId}`, { status: 'done' }),
          () => server.request('POST', `/attempts/${attempt.id}/merge`),
          () => server.request('GET', `/attempts/${attempt.id}/diff`),
          () => server.request('POST', `/attempts/${attempt.id}/rebase`),
        ]);
        assert.equal(closed.status, 200, JSON.stringify(closed.body));
        assertOneOf(merge, ['200', '409 FORGE_CONFLICT'], 'merge during PATCH done');
        assertOneOf(diff, ['200', '409 FORGE_CONFLICT'], 'diff during PATCH done');
        assertOneOf(rebase, ['200', '409 FORGE_CONFLICT'], 'rebase during PATCH done');
        merges.push({ attempt, answer: merge });
      }),
    );
    assertMergesWhole(repo, before, attempts, merges);
  });

  it('answers merge, diff and rebase running while the task is deleted with 200, 404 or 409, and a merge lands whole or not at all', async () => {
    const { repo, projectId } = await newProject('deleted-during-merge');
    const attempts = await finishedAttempts(projectId, 10);
    const before = git(repo, 'rev-parse', 'main');
    const merges: Array<{ attempt: any; answer: Answer }> = [];
    await Promise.all(
      attempts.map(async (attempt, i) => {
        const [deleted, merge, diff, rebase] = await burst(i, [
          () => server.request('DELETE', `/tasks/${attempt.taskId}`),
          () => server.request('POST', `/attempts/${attempt.id}/merge`),
          () => server.request('GET', `/attempts/${attempt.id}/diff`),
          () => server.request('POST', `/attempts/${attempt.id}/rebase`),
        ]);
        assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
        const allowed = ['200', '404 FORGE_NOT_FOUND', '409 FORGE_CONFLICT'];
        assertOneOf(merge, allowed, 'merge during DELETE');
        assertOneOf(diff, allowed, 'diff during DELETE');
        assertOneOf(rebase, allowed, 'rebase during DELETE');
        merges.push({ attempt, answer: merge });
      }),
    );
    assertMergesWhole(repo, before, attempts, merges);
  });

  /** Main has exactly the merges answered 200, one squash commit each, and the checkout is clean. */
  function assertMergesWhole(repo: string, before: string, attempts: any[], merges: Array<{ attempt: any; answer: Answer }>): void {
    const landed = merges.filter((m) => m.answer.status === 200);
    assert.equal(git(repo, 'rev-list', '--count', `${before}..main`), String(landed.length), 'one commit on main per merge answered 200');
    for (const { attempt, answer } of merges) {
      const file = join(repo, `file-${attempts.indexOf(attempt)}.txt`);
      if (answer.status === 200) {
        assert.equal(git(repo, 'merge-base', '--is-ancestor', answer.body.mergeCommit, 'main'), '');
        assert.equal(readFileSync(file, 'utf8'), `change ${attempts.indexOf(attempt)}\n`);
      } else {
        assert.equal(existsSync(file), false, `a refused merge left nothing on main: ${JSON.stringify(answer.body)}`);
      }
    }
    assert.equal(git(repo, 'status', '--porcelain'), '', "the user's checkout of main is clean");
  }

  it('answers a diff whose worktree is deleted by hand while it runs with 200 or 409, never a 500', async () => {
    const { projectId } = await newProject('removed-by-hand');
    const attempts = await finishedAttempts(projectId, 10);
    await Promise.all(
      attempts.map(async (attempt, i) => {
        const [, ...diffs] = await burst(i, [
          () => rm(attempt.worktreePath, { recursive: true, force: true }).then(() => ({ status: 204, body: null })),
          () => server.request('GET', `/attempts/${attempt.id}/diff`),
          () => server.request('GET', `/attempts/${attempt.id}/diff`),
          () => server.request('GET', `/attempts/${attempt.id}/diff`),
        ]);
        for (const diff of diffs) assertOneOf(diff, ['200', '409 FORGE_CONFLICT'], 'diff while the worktree is deleted');
      }),
    );
    // Once the directory is gone the diff reads the branch.
    const after = await server.request('GET', `/attempts/${attempts[0].id}/diff`);
    assert.equal(after.status, 200, JSON.stringify(after.body));
    assert.equal(after.body.includesWorkingTree, false);
  });

  describe('when the base branch is renamed or deleted', () => {
    function assertBaseMissing(answer: Answer, branch: string, what: string): void {
      assert.equal(answer.status, 422, `${what}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, 'FORGE_BRANCH_NOT_FOUND', what);
      assert.ok(answer.body.error.message.includes(`"${branch}"`), `${what} names the branch: ${answer.body.error.message}`);
      assert.deepEqual(answer.body.error.details, { branch }, what);
    }

    it('answers diff, rebase and merge with 422 FORGE_BRANCH_NOT_FOUND naming the branch (git branch -m main trunk)', async () => {
      const { repo, projectId } = await newProject('base-renamed');
      const [attempt] = await finishedAttempts(projectId, 1);
      git(repo, 'branch', '-m', 'main', 'trunk');
      try {
        assertBaseMissing(await server.request('GET', `/attempts/${attempt.id}/diff`), 'main', 'diff');
        assertBaseMissing(await server.request('POST', `/attempts/${attempt.id}/rebase`), 'main', 'rebase');
        assertBaseMissing(await server.request('POST', `/attempts/${attempt.id}/merge`), 'main', 'merge');
      } finally {
        git(repo, 'branch', '-m', 'trunk', 'main');
      }
      // Back under its name, the attempt works again: nothing was changed by the refusals.
      assert.equal((await server.request('GET', `/attempts/${attempt.id}/diff`)).status, 200);
      assert.equal((await server.request('POST', `/attempts/${attempt.id}/rebase`)).status, 200);
    });

    it('answers diff, rebase and merge with 422 FORGE_BRANCH_NOT_FOUND when a base that is not checked out is deleted', async () => {
      const { repo, projectId } = await newProject('base-deleted');
      git(repo, 'branch', 'release');
      const [attempt] = await finishedAttempts(projectId, 1, 'release');
      git(repo, 'branch', '-D', 'release');
      assertBaseMissing(await server.request('GET', `/attempts/${attempt.id}/diff`), 'release', 'diff');
      assertBaseMissing(await server.request('POST', `/attempts/${attempt.id}/rebase`), 'release', 'rebase');
      assertBaseMissing(await server.request('POST', `/attempts/${attempt.id}/merge`), 'release', 'merge');
      assert.equal(git(attempt.worktreePath, 'status', '--porcelain'), '', 'a refused rebase leaves nothing behind');
    });
  });

  it('answers 409 on diff, merge and rebase when the repository was replaced by another at the same path, and the task can still be deleted', async () => {
    const { repo, projectId } = await newProject('replaced');
    const [attempt] = await finishedAttempts(projectId, 1);
    rmSync(repo, { recursive: true, force: true });
    makeRepo(repo, { 'README.md': '# a new repository\n' });
    const replacedHead = git(repo, 'rev-parse', 'main');
    for (const [method, path] of [
      ['GET', 'diff'],
      ['POST', 'merge'],
      ['POST', 'rebase'],
    ] as const) {
      const answer = await server.request(method, `/attempts/${attempt.id}/${path}`);
      assert.equal(answer.status, 409, `${path}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, 'FORGE_CONFLICT', path);
      assert.match(answer.body.error.message, /no longer a worktree of the repository/, path);
      assert.ok(answer.body.error.message.includes(attempt.worktreePath), `${path} names the worktree`);
      assert.match(answer.body.error.message, /DELETE \/api\/v1\/tasks\//, `${path} says what to do`);
    }
    assert.equal(git(repo, 'rev-parse', 'main'), replacedHead, 'the new repository is untouched');
    const deleted = await server.request('DELETE', `/tasks/${attempt.taskId}`);
    assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
    assert.equal(existsSync(attempt.worktreePath), false, 'deleting the task removed the old worktree');
  });
});
