import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitFiles, git, makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

describe('attempt lifecycle', () => {
  let server: TestServer;
  let repos: ReturnType<typeof tempDir>;
  let repo: string;
  let projectId: string;

  before(async () => {
    server = await startTestServer();
    repos = tempDir('forge-repos-');
    repo = makeRepo(join(repos.path, 'app'), { 'README.md': '# app\n', 'src/main.txt': 'one\ntwo\nthree\n' });
    const { status, body } = await server.request('POST', '/projects', { name: 'app', repoPath: repo });
    assert.equal(status, 201, JSON.stringify(body));
    projectId = body.id;
  });

  after(async () => {
    await server.close();
    repos.cleanup();
  });

  async function newTask(title: string, description?: string): Promise<string> {
    const { status, body } = await server.request('POST', '/tasks', { projectId, title, description });
    assert.equal(status, 201, JSON.stringify(body));
    return body.id;
  }

  async function start(taskId: string, executor: string, options: Record<string, unknown> = {}): Promise<any> {
    const { status, body } = await server.request('POST', `/tasks/${taskId}/attempts`, { executor, options });
    assert.equal(status, 202, JSON.stringify(body));
    assert.equal(body.state, 'queued');
    return body;
  }

  async function logs(attemptId: string): Promise<any[]> {
    const { body } = await server.request('GET', `/attempts/${attemptId}/logs?limit=1000`);
    return body.items;
  }

  it('runs the fake agent in its own worktree, stores its events, commits its work and puts the task in review', async () => {
    const taskId = await newTask('Greet', 'write greeting.txt Hello from the agent');
    const queued = await start(taskId, 'fake-agent');
    const done = await server.waitForAttempt(queued.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    assert.match(done.branch, /^forge\/[0-9a-f]{8}-greet$/);
    assert.ok(done.agentSessionId, 'the session id from the agent is recorded');
    assert.equal(done.worktreePath, join(server.home, 'worktrees', projectId, done.id));
    assert.equal(readFileSync(join(done.worktreePath, 'greeting.txt'), 'utf8'), 'Hello from the agent\n');
    assert.equal(git(done.worktreePath, 'status', '--porcelain'), '', 'the agent work is committed');
    assert.equal(git(repo, 'log', '-1', '--format=%s', done.branch), 'Wrote 1 file(s): greeting.txt');
    assert.equal(existsSync(join(repo, 'greeting.txt')), false, "the user's checkout is untouched");

    const kinds = (await logs(done.id)).map((e) => e.kind);
    assert.deepEqual(kinds.slice(0, 2), ['session', 'thinking']);
    assert.ok(kinds.includes('tool_call') && kinds.includes('tool_result') && kinds.includes('usage'));
    assert.equal(kinds.filter((k) => k === 'done').length, 1);
    const { body: processes } = await server.request('GET', `/attempts/${done.id}/processes`);
    assert.deepEqual(
      processes.items.map((p: any) => [p.kind, p.status]),
      [['agent', 'succeeded']],
    );
    const { body: task } = await server.request('GET', `/tasks/${taskId}`);
    assert.equal(task.status, 'inreview');
  });

  it('runs the script executor with the prompt on stdin and fails the attempt when the script fails', async () => {
    const taskId = await newTask('Script', 'the prompt text');
    const ok = await server.waitForAttempt((await start(taskId, 'script', { command: 'cat > prompt.txt; echo wrote it' })).id);
    assert.equal(ok.state, 'succeeded');
    assert.equal(readFileSync(join(ok.worktreePath, 'prompt.txt'), 'utf8'), 'Script\n\nthe prompt text');
    const lines = (await logs(ok.id)).filter((e) => e.kind === 'log' && e.payload.stream === 'stdout').map((e) => e.payload.text);
    assert.deepEqual(lines, ['wrote it']);

    const failed = await server.waitForAttempt((await start(taskId, 'script', { command: 'echo oops >&2; exit 3' })).id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error.code, 'FORGE_AGENT_FAILED');
    assert.match(failed.error.message, /code 3/);
  });

  it('runs the setup script before the agent and the cleanup script after it', async () => {
    await server.request('PATCH', `/projects/${projectId}`, { setupScript: 'echo setup > setup.txt', cleanupScript: 'echo cleaned' });
    try {
      const taskId = await newTask('Scripts around the agent');
      const done = await server.waitForAttempt((await start(taskId, 'script', { command: 'test -f setup.txt && echo saw setup' })).id);
      assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
      const { body } = await server.request('GET', `/attempts/${done.id}/processes`);
      assert.deepEqual(
        body.items.map((p: any) => [p.kind, p.status]),
        [
          ['setup', 'succeeded'],
          ['agent', 'succeeded'],
          ['cleanup', 'succeeded'],
        ],
      );
      const failing = await server.request('PATCH', `/projects/${projectId}`, { setupScript: 'exit 1' });
      assert.equal(failing.status, 200);
      const failed = await server.waitForAttempt((await start(taskId, 'script', { command: 'echo never' })).id);
      assert.equal(failed.state, 'failed');
      assert.equal(failed.error.code, 'FORGE_SETUP_SCRIPT_FAILED');
    } finally {
      await server.request('PATCH', `/projects/${projectId}`, { setupScript: '', cleanupScript: '' });
    }
  });

  it('follows up in the same worktree, resuming the agent session', async () => {
    const taskId = await newTask('Two steps', 'write one.txt first');
    const first = await server.waitForAttempt((await start(taskId, 'fake-agent')).id);
    const { status, body } = await server.request('POST', `/attempts/${first.id}/follow-up`, { prompt: 'write two.txt second' });
    assert.equal(status, 202, JSON.stringify(body));
    assert.equal(body.state, 'queued');
    const second = await server.waitForAttempt(first.id);
    assert.equal(second.state, 'succeeded');
    assert.equal(second.worktreePath, first.worktreePath);
    assert.equal(second.agentSessionId, first.agentSessionId, 'the follow-up resumed the same session');
    assert.ok(existsSync(join(second.worktreePath, 'one.txt')) && existsSync(join(second.worktreePath, 'two.txt')));
    const entries = await logs(first.id);
    assert.deepEqual(
      entries.map((e) => e.seq),
      entries.map((_, i) => i + 1),
      'one gap-free sequence across both runs',
    );
    assert.equal(entries.filter((e) => e.kind === 'done').length, 2);
  });

  it('stops a hanging agent by killing its whole process tree, even one that ignores SIGTERM', async () => {
    const taskId = await newTask('Hang');
    const attempt = await start(taskId, 'fake-agent', { scenario: 'hang', ignoreSigterm: true });
    await server.waitFor(async () => (await logs(attempt.id)).some((e) => e.kind === 'session'));
    const { body: processes } = await server.request('GET', `/attempts/${attempt.id}/processes`);
    const pid = processes.items[0].pid;
    assert.ok(pid > 0);
    const { status, body } = await server.request('POST', `/attempts/${attempt.id}/stop`);
    assert.equal(status, 200);
    assert.equal(body.state, 'cancelled');
    assert.throws(() => process.kill(-pid, 0), 'the process group is gone');
    const conflict = await server.request('POST', `/attempts/${attempt.id}/stop`);
    assert.equal(conflict.status, 409);
  });

  it('fails an attempt whose agent crashes or emits garbage, without affecting the server', async () => {
    const taskId = await newTask('Misbehaving agents');
    const crashed = await server.waitForAttempt((await start(taskId, 'fake-agent', { scenario: 'crash' })).id);
    assert.equal(crashed.state, 'failed');
    const garbage = await server.waitForAttempt((await start(taskId, 'fake-agent', { scenario: 'garbage' })).id);
    assert.equal(garbage.state, 'succeeded');
    assert.ok((await logs(garbage.id)).some((e) => e.kind === 'log' && e.payload.level === 'warn'));
    assert.equal((await server.request('GET', '/health')).status, 200);
  });

  it('shows the diff against the base and squash-merges it into the base branch', async () => {
    const taskId = await newTask('Feature', 'write feature.txt a new feature');
    const done = await server.waitForAttempt((await start(taskId, 'fake-agent')).id);
    const { status, body: diff } = await server.request('GET', `/attempts/${done.id}/diff`);
    assert.equal(status, 200);
    assert.deepEqual(
      diff.files.map((f: any) => [f.path, f.change, f.additions]),
      [['feature.txt', 'added', 1]],
    );
    assert.match(diff.patch, /\+a new feature/);

    const before = git(repo, 'rev-parse', 'main');
    const merged = await server.request('POST', `/attempts/${done.id}/merge`);
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    assert.equal(git(repo, 'rev-parse', 'main'), merged.body.mergeCommit);
    assert.equal(git(repo, 'rev-parse', `${merged.body.mergeCommit}^`), before, 'one squash commit on top of main');
    assert.equal(readFileSync(join(repo, 'feature.txt'), 'utf8'), 'a new feature\n', 'the checked-out main was fast-forwarded');
    const { body: task } = await server.request('GET', `/tasks/${taskId}`);
    assert.equal(task.status, 'done');
    assert.equal(existsSync(done.worktreePath), false, 'closing the task removed its worktree');
    const { body: attempt } = await server.request('GET', `/attempts/${done.id}`);
    assert.equal(attempt.mergeCommit, merged.body.mergeCommit);
  });

  it('refuses to merge with 409 when the base moved and conflicts, then merges after a clean rebase', async () => {
    const taskId = await newTask('Conflicting', 'write src/main.txt agent version');
    const done = await server.waitForAttempt((await start(taskId, 'fake-agent')).id);
    commitFiles(repo, { 'src/main.txt': 'user version\n' }, 'user edits main.txt');
    const refused = await server.request('POST', `/attempts/${done.id}/merge`);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'FORGE_MERGE_CONFLICT');
    assert.deepEqual(refused.body.error.details.conflicts, ['src/main.txt']);
    const rebase = await server.request('POST', `/attempts/${done.id}/rebase`);
    assert.equal(rebase.status, 409);
    assert.deepEqual(rebase.body.error.details.conflicts, ['src/main.txt']);
    assert.equal(git(done.worktreePath, 'status', '--porcelain'), '', 'a refused rebase leaves nothing behind');

    const clean = await server.waitForAttempt((await start(await newTask('Clean', 'write docs/notes.txt notes'), 'fake-agent')).id);
    commitFiles(repo, { 'other.txt': 'unrelated\n' }, 'user adds other.txt');
    const rebased = await server.request('POST', `/attempts/${clean.id}/rebase`);
    assert.equal(rebased.status, 200, JSON.stringify(rebased.body));
    assert.equal(rebased.body.baseCommit, git(repo, 'rev-parse', 'main'));
    assert.equal(git(repo, 'merge-base', 'main', clean.branch), git(repo, 'rev-parse', 'main'));
    const merged = await server.request('POST', `/attempts/${clean.id}/merge`);
    assert.equal(merged.status, 200);
  });

  it("pushes the attempt branch to the project's origin", async () => {
    const remote = join(repos.path, 'remote.git');
    git(repos.path, 'init', '-q', '--bare', remote);
    git(repo, 'remote', 'add', 'origin', remote);
    try {
      const done = await server.waitForAttempt((await start(await newTask('Push me', 'write pushed.txt yes'), 'fake-agent')).id);
      const pushed = await server.request('POST', `/attempts/${done.id}/push`);
      assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
      assert.equal(git(remote, 'rev-parse', done.branch), git(repo, 'rev-parse', done.branch));
    } finally {
      git(repo, 'remote', 'remove', 'origin');
    }
  });

  it('deleting a task stops its attempts and removes their worktrees and branches', async () => {
    const taskId = await newTask('Doomed');
    const finished = await server.waitForAttempt((await start(taskId, 'script', { command: 'echo x > x.txt' })).id);
    const running = await start(taskId, 'script', { command: 'sleep 30' });
    await server.waitFor(async () => (await server.request('GET', `/attempts/${running.id}`)).body.state === 'running');
    const { status } = await server.request('DELETE', `/tasks/${taskId}`);
    assert.equal(status, 204);
    assert.equal(existsSync(finished.worktreePath), false);
    assert.equal(git(repo, 'branch', '--list', finished.branch, running.branch), '');
    assert.equal(git(repo, 'worktree', 'list').split('\n').length, 1 + (await liveWorktrees()), 'git lists no removed worktree');
    assert.equal((await server.request('GET', `/attempts/${running.id}`)).status, 404);
  });

  async function liveWorktrees(): Promise<number> {
    const { body } = await server.request('GET', `/tasks?projectId=${projectId}&limit=1000`);
    let count = 0;
    for (const task of body.items) {
      const { body: attempts } = await server.request('GET', `/tasks/${task.id}/attempts`);
      count += attempts.items.filter((a: any) => a.worktreePath && existsSync(a.worktreePath)).length;
    }
    return count;
  }
});
