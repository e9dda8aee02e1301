import assert from 'node:assert/strict';
import { join } from 'node:path';
import { commitFiles, git, makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

/** Issue 7 item 13: push sends the attempt's branch, or (asked for) its base after a merge. */
describe('pushing an attempt branch or its base', () => {
  let server: TestServer;
  let dirs: ReturnType<typeof tempDir>;
  let repo: string;
  let origin: string;
  let projectId: string;

  before(async () => {
    server = await startTestServer();
    dirs = tempDir('forge-push-');
    repo = makeRepo(join(dirs.path, 'app'));
    origin = join(dirs.path, 'origin.git');
    git(dirs.path, 'init', '-q', '--bare', origin);
    git(repo, 'remote', 'add', 'origin', origin);
    git(repo, 'push', '-q', 'origin', 'main');
    const { status, body } = await server.request('POST', '/projects', { name: 'app', repoPath: repo });
    assert.equal(status, 201, JSON.stringify(body));
    projectId = body.id;
  });

  after(async () => {
    await server.close();
    dirs.cleanup();
  });

  async function finishedAttempt(file: string): Promise<any> {
    const task = await server.request('POST', '/tasks', { projectId, title: `Write ${file}` });
    const started = await server.request('POST', `/tasks/${task.body.id}/attempts`, {
      executor: 'script',
      options: { command: `echo ${file} > ${file}` },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const done = await server.waitForAttempt(started.body.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    return done;
  }

  it("pushes the attempt's branch without a body or with {branch: 'attempt'}, and says so", async () => {
    const done = await finishedAttempt('first.txt');
    const plain = await server.request('POST', `/attempts/${done.id}/push`);
    assert.equal(plain.status, 200, JSON.stringify(plain.body));
    assert.deepEqual(plain.body, { remote: 'origin', pushed: 'attempt', branch: done.branch, commit: git(repo, 'rev-parse', done.branch) });
    assert.equal(git(origin, 'rev-parse', done.branch), plain.body.commit);
    const explicit = await server.request('POST', `/attempts/${done.id}/push`, { branch: 'attempt' });
    assert.equal(explicit.status, 200, JSON.stringify(explicit.body));
    assert.equal(explicit.body.pushed, 'attempt');
  });

  it('pushes the base branch after a merge as a fast-forward, which pushing the attempt never did', async () => {
    const done = await finishedAttempt('merged.txt');
    const originBefore = git(origin, 'rev-parse', 'main');
    const merged = await server.request('POST', `/attempts/${done.id}/merge`);
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    assert.equal((await server.request('POST', `/attempts/${done.id}/push`)).body.pushed, 'attempt');
    assert.equal(git(origin, 'rev-parse', 'main'), originBefore, "pushing the attempt leaves origin's main alone");

    const pushed = await server.request('POST', `/attempts/${done.id}/push`, { branch: 'base' });
    assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
    assert.deepEqual(pushed.body, { remote: 'origin', pushed: 'base', branch: 'main', commit: merged.body.mergeCommit });
    assert.equal(git(origin, 'rev-parse', 'main'), merged.body.mergeCommit);
    assert.equal(git(origin, 'rev-parse', `${merged.body.mergeCommit}^`), originBefore, 'a fast-forward of what origin had');
  });

  it("refuses with 409 FORGE_PUSH_REJECTED when origin's base moved, and overwrites nothing", async () => {
    const elsewhere = join(dirs.path, 'elsewhere');
    git(dirs.path, 'clone', '-q', '-b', 'main', origin, elsewhere);
    git(elsewhere, 'config', 'user.email', 'other@example.com');
    git(elsewhere, 'config', 'user.name', 'Other');
    const theirs = commitFiles(elsewhere, { 'theirs.txt': 'pushed by someone else\n' }, 'someone else pushes');
    git(elsewhere, 'push', '-q', 'origin', 'main');

    const done = await finishedAttempt('ours.txt');
    assert.equal((await server.request('POST', `/attempts/${done.id}/merge`)).status, 200);
    const refused = await server.request('POST', `/attempts/${done.id}/push`, { branch: 'base' });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'FORGE_PUSH_REJECTED');
    assert.match(refused.body.error.message, /origin's main has commits that main in .* lacks; pull them into main, then push again/);
    assert.equal(git(origin, 'rev-parse', 'main'), theirs, "origin's main keeps the other commit");
  });

  it('rejects an unknown branch kind with 400, naming the field', async () => {
    const done = await finishedAttempt('invalid.txt');
    const answer = await server.request('POST', `/attempts/${done.id}/push`, { branch: 'main' });
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, 'FORGE_VALIDATION_FAILED');
    assert.equal(answer.body.error.details.problems[0].path, 'branch');
  });
});
