import assert from 'node:assert/strict';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

describe('an attempt whose work cannot be committed', () => {
  let server: TestServer;
  let dirs: ReturnType<typeof tempDir>;

  before(async () => {
    server = await startTestServer();
  });

  after(async () => {
    await server.close();
  });

  beforeEach(() => {
    dirs = tempDir('forge-commit-failure-');
  });

  afterEach(() => {
    dirs.cleanup();
  });

  /** A project on a fresh repository, and an attempt whose agent writes a file, then waits for `release`. */
  async function startWaitingAgent(name: string, cleanupScript?: string) {
    const repo = makeRepo(join(dirs.path, name));
    const project = await server.request('POST', '/projects', { name, repoPath: repo, ...(cleanupScript ? { cleanupScript } : {}) });
    assert.equal(project.status, 201, JSON.stringify(project.body));
    const task = await server.request('POST', '/tasks', { projectId: project.body.id, title: name });
    const release = join(dirs.path, `${name}-release`);
    const command = `echo work > work.txt; while [ ! -f ${release} ]; do sleep 0.05; done; echo finished`;
    const started = await server.request('POST', `/tasks/${task.body.id}/attempts`, { executor: 'script', options: { command } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const running = await server.waitFor(async () => {
      const { body } = await server.request('GET', `/attempts/${started.body.id}`);
      return body.state === 'running' && body.worktreePath && existsSync(join(body.worktreePath, 'work.txt')) && body;
    }, 60_000);
    return { repo, attempt: running, release: () => writeFileSync(release, '') };
  }

  async function processesOf(attemptId: string): Promise<string[][]> {
    const { body } = await server.request('GET', `/attempts/${attemptId}/processes`);
    return body.items.map((p: any) => [p.kind, p.status]);
  }

  async function logTexts(attemptId: string): Promise<string[]> {
    const { body } = await server.request('GET', `/attempts/${attemptId}/logs?limit=1000`);
    return body.items.filter((e: any) => e.kind === 'log').map((e: any) => e.payload.text);
  }

  it('fails with FORGE_COMMIT_FAILED when its worktree is deleted while the agent runs, and skips the cleanup script', async () => {
    const { attempt, release } = await startWaitingAgent('deleted-worktree', 'echo cleaned');
    rmSync(attempt.worktreePath, { recursive: true, force: true });
    release();
    const done = await server.waitForAttempt(attempt.id, 60_000);
    assert.equal(done.state, 'failed', 'not succeeded: the work is lost');
    assert.equal(done.error.code, 'FORGE_COMMIT_FAILED');
    assert.match(done.error.message, /was deleted while the agent ran/);
    assert.match(done.error.message, /follow-up/, 'says what to do');
    assert.deepEqual(await processesOf(attempt.id), [['agent', 'succeeded']], 'no cleanup script without a worktree to run in');
    const logs = await logTexts(attempt.id);
    assert.ok(logs.some((text) => text.startsWith('FORGE_COMMIT_FAILED: ')), JSON.stringify(logs));
    assert.ok(logs.some((text) => /cleanup script was not run/.test(text)), JSON.stringify(logs));
  });

  it('fails with FORGE_COMMIT_FAILED when the repository is moved away during the run; moved back, a follow-up commits the work', async () => {
    const { repo, attempt, release } = await startWaitingAgent('moved-repository', 'echo cleaned');
    const moved = `${repo}-moved`;
    renameSync(repo, moved);
    release();
    const done = await server.waitForAttempt(attempt.id, 60_000);
    assert.equal(done.state, 'failed');
    assert.equal(done.error.code, 'FORGE_COMMIT_FAILED');
    assert.ok(done.error.message.includes(repo), done.error.message);
    assert.match(done.error.message, /still in .*put it back and send a follow-up/);
    assert.deepEqual(await processesOf(attempt.id), [['agent', 'succeeded'], ['cleanup', 'succeeded']], 'the worktree is there, so the cleanup runs');

    renameSync(moved, repo);
    const followUp = await server.request('POST', `/attempts/${attempt.id}/follow-up`, { prompt: 'commit it now' });
    assert.equal(followUp.status, 202, JSON.stringify(followUp.body));
    const again = await server.waitForAttempt(attempt.id, 60_000);
    assert.equal(again.state, 'succeeded', JSON.stringify(again.error));
    assert.equal(git(repo, 'show', `${attempt.branch}:work.txt`), 'work');
  });

  it('a stopped attempt whose work cannot be committed ends failed, not cancelled', async () => {
    const { attempt } = await startWaitingAgent('stopped');
    rmSync(attempt.worktreePath, { recursive: true, force: true });
    const { status, body } = await server.request('POST', `/attempts/${attempt.id}/stop`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.state, 'failed');
    assert.equal(body.error.code, 'FORGE_COMMIT_FAILED');
  });
});
