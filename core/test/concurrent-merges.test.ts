import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitFiles, git, makeRepo } from './support/git-repo.ts';
import { freePort, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

type Request = TestServer['request'];

/** Issue 7 item 8: merges into one base at once are serialized, so only real conflicts fail. */
describe('concurrent merges into one base branch', function () {
  // 20 real attempts and their merges on a 2-core machine shared with other work.
  this.timeout(180_000);
  let server: TestServer;
  let dirs: ReturnType<typeof tempDir>;

  before(async () => {
    server = await startTestServer();
    dirs = tempDir('forge-merges-');
  });

  after(async () => {
    await server.close();
    dirs.cleanup();
  });

  async function newProject(request: Request, repo: string): Promise<string> {
    const { status, body } = await request('POST', '/projects', { name: 'merges', repoPath: repo });
    assert.equal(status, 201, JSON.stringify(body));
    return body.id;
  }

  /** Starts an attempt whose agent writes `file`; returns it queued. */
  async function startWriting(request: Request, projectId: string, file: string, text: string): Promise<any> {
    const task = await request('POST', '/tasks', { projectId, title: `Write ${file}` });
    assert.equal(task.status, 201, JSON.stringify(task.body));
    const started = await request('POST', `/tasks/${task.body.id}/attempts`, {
      executor: 'script',
      options: { command: `printf '%s\\n' '${text}' > ${file}` },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    return started.body;
  }

  async function waitSucceeded(request: Request, attemptId: string): Promise<void> {
    const done = await server.waitFor(async () => {
      const { body } = await request('GET', `/attempts/${attemptId}`);
      return ['succeeded', 'failed', 'cancelled'].includes(body.state) ? body : undefined;
    }, 150_000);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
  }

  it('merges 16 independent attempts at once, all 200, and refuses only the 4 real conflicts with their files', async () => {
    const repo = makeRepo(join(dirs.path, 'one'), { 'README.md': '# one\n', 'shared.txt': 'original\n' });
    const projectId = await newProject(server.request, repo);
    const independent = await Promise.all(Array.from({ length: 16 }, (_, i) => startWriting(server.request, projectId, `file-${i}.txt`, `change ${i}`)));
    const conflicting = await Promise.all(Array.from({ length: 4 }, (_, i) => startWriting(server.request, projectId, 'shared.txt', `agent ${i}`)));
    await Promise.all([...independent, ...conflicting].map((a) => waitSucceeded(server.request, a.id)));
    // The user changes the file the four agents changed too: those four conflict whatever the order.
    const userCommit = commitFiles(repo, { 'shared.txt': 'the user version\n' }, 'user edits shared.txt');

    const all = [...independent, ...conflicting];
    const answers = await Promise.all(all.map((a) => server.request('POST', `/attempts/${a.id}/merge`)));

    const merged = answers.slice(0, 16);
    for (const answer of merged) assert.equal(answer.status, 200, JSON.stringify(answer.body));
    for (const answer of answers.slice(16)) {
      assert.equal(answer.status, 409, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, 'FORGE_MERGE_CONFLICT');
      assert.deepEqual(answer.body.error.details.conflicts, ['shared.txt']);
    }
    // Main is one line of 16 squash commits on the user's commit, and the checkout has them all.
    assert.equal(git(repo, 'rev-list', '--count', `${userCommit}..main`), '16');
    assert.equal(git(repo, 'rev-list', '--merges', '--count', 'main'), '0');
    assert.deepEqual(new Set(merged.map((a) => a.body.mergeCommit)), new Set(git(repo, 'rev-list', `${userCommit}..main`).split('\n')));
    for (let i = 0; i < 16; i++) assert.equal(readFileSync(join(repo, `file-${i}.txt`), 'utf8'), `change ${i}\n`);
    assert.equal(readFileSync(join(repo, 'shared.txt'), 'utf8'), 'the user version\n');
    assert.equal(git(repo, 'status', '--porcelain'), '', "the user's checkout of main is clean");
  });

  it('serializes merges from two Forge servers (separate processes) on the same repository', async () => {
    const repo = makeRepo(join(dirs.path, 'two'));
    const otherHome = tempDir('forge-home-b-');
    // Its own branch prefix, so neither server's reconcile takes the other's branches for orphans.
    let other: ServerProcess | null = null;
    try {
      other = await startServerProcess(otherHome.path, await freePort(), { FORGE_BRANCH_PREFIX: 'forge-b', FORGE_LOG_LEVEL: 'silent' });
      const otherBase = `${other.url}/api/v1`;
      const otherRequest: Request = async (method, path, body) => {
        const response = await fetch(otherBase + path, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : null };
      };
      const here = await newProject(server.request, repo);
      const there = await newProject(otherRequest, repo);
      const ours = await Promise.all(Array.from({ length: 6 }, (_, i) => startWriting(server.request, here, `here-${i}.txt`, `here ${i}`)));
      const theirs = await Promise.all(Array.from({ length: 6 }, (_, i) => startWriting(otherRequest, there, `there-${i}.txt`, `there ${i}`)));
      await Promise.all([...ours.map((a) => waitSucceeded(server.request, a.id)), ...theirs.map((a) => waitSucceeded(otherRequest, a.id))]);
      const before = git(repo, 'rev-parse', 'main');

      const answers = await Promise.all([
        ...ours.map((a) => server.request('POST', `/attempts/${a.id}/merge`)),
        ...theirs.map((a) => otherRequest('POST', `/attempts/${a.id}/merge`)),
      ]);

      for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(git(repo, 'rev-list', '--count', `${before}..main`), '12');
      for (let i = 0; i < 6; i++) {
        assert.ok(existsSync(join(repo, `here-${i}.txt`)) && existsSync(join(repo, `there-${i}.txt`)));
      }
      assert.equal(git(repo, 'status', '--porcelain'), '');
    } finally {
      if (other) {
        other.child.kill('SIGTERM');
        await other.exited;
      }
      otherHome.cleanup();
    }
  });
});
