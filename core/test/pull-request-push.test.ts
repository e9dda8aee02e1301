import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { git as gitAsync } from '../src/git/git.ts';
import { pushCredentialEnvironment } from '../src/git/push-credentials.ts';
import { startGitHttpServer, type GitHttpServer } from './support/git-http-server.ts';
import { git, makeRepo } from './support/git-repo.ts';
import { filesHolding } from './support/files-holding.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const TOKEN = 'forge-push-token-3f9a1c7e5b2d4a6c8e0f';

/**
 * Pushes authenticate to the code host with the token configured for it, through a credential
 * helper that lives only in the push's environment: against a real `git http-backend` on
 * 127.0.0.1 that demands the token, including a bad token and a rejected non-fast-forward, and
 * afterwards the token is in no git config, answer or event.
 */
describe('pushing to a code host with its token', () => {
  let dirs: ReturnType<typeof tempDir>;
  let origin: GitHttpServer;
  let server: TestServer;
  let repo: string;
  let bare: string;
  let projectId: string;
  const answers: string[] = [];

  const request = async (method: string, path: string, body?: unknown) => {
    const answer = await server.request(method, path, body);
    answers.push(JSON.stringify(answer.body));
    return answer;
  };

  before(async () => {
    dirs = tempDir('forge-push-auth-');
    origin = await startGitHttpServer({ root: join(dirs.path, 'served'), username: null, token: TOKEN });
    repo = makeRepo(join(dirs.path, 'widgets'));
    bare = await origin.createBareRepo('acme/widgets', { from: repo });
    git(repo, 'remote', 'add', 'origin', origin.repoUrl('acme/widgets'));
    // The git server is on its own port over plain http: gitUrl says that origin may have the token too.
    server = await startTestServer({}, { gitHosts: { '127.0.0.1': { provider: 'github', apiUrl: 'http://127.0.0.1:9/api/v3', token: TOKEN, gitUrl: origin.url } } });
    const project = await request('POST', '/projects', { name: 'widgets', repoPath: repo });
    assert.equal(project.status, 201, JSON.stringify(project.body));
    projectId = project.body.id;
  });

  after(async () => {
    await server?.close();
    await origin?.close();
    dirs?.cleanup();
  });

  async function finishedAttempt(file: string): Promise<any> {
    const task = await request('POST', '/tasks', { projectId, title: `Write ${file}` });
    const started = await request('POST', `/tasks/${task.body.id}/attempts`, { executor: 'script', options: { command: `echo ${file} > ${file}` } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const done = await server.waitForAttempt(started.body.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    return done;
  }

  it("pushes the attempt's branch with the host's token, which git asked for and got only from Forge, and runs no hook with it", async () => {
    const done = await finishedAttempt('first.txt');
    // The hooks folder is shared with every worktree: an agent could have written this one.
    const hookOutput = join(dirs.path, 'hook-saw.txt');
    writeFileSync(join(repo, '.git', 'hooks', 'pre-push'), `#!/bin/sh\nenv > '${hookOutput}'\n`, { mode: 0o755 });
    const before = origin.requests.length;
    const pushed = await request('POST', `/attempts/${done.id}/push`);
    assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
    assert.equal((await gitAsync(['rev-parse', done.branch], { cwd: bare })).stdout.trim(), pushed.body.commit);
    const sent = origin.requests.slice(before);
    assert.ok(sent.some((r) => r.service === 'git-receive-pack' && r.authorized), JSON.stringify(sent));
    assert.ok(sent.some((r) => !r.authorized), 'git first asked without credentials: the token came from the helper on the 401, not the URL');
    assert.equal(existsSync(hookOutput), false, 'the pre-push hook did not run with the token in its environment');
  });

  it("ignores what the repository's config says about pushing (an agent can write it), so the token goes only to the project's remote", async () => {
    const done = await finishedAttempt('configured.txt');
    const seen: string[] = [];
    const collector = createServer((req, res) => {
      seen.push(String(req.headers.authorization));
      res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' }).end();
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const leak = join(dirs.path, 'leak.txt');
    const settings = [
      ['remote.origin.pushurl', `http://127.0.0.1:${(collector.address() as AddressInfo).port}/acme/widgets.git`],
      [`url.ssh://evil.invalid/.pushInsteadOf`, origin.repoUrl('acme/widgets')],
      ['core.sshCommand', `env > '${leak}'; exit 1`],
      ['remote.origin.receivepack', `env > '${leak}'; exit 1`],
    ];
    try {
      for (const [key, value] of settings) git(repo, 'config', key!, value!);
      const pushed = await request('POST', `/attempts/${done.id}/push`);
      assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
      assert.equal((await gitAsync(['rev-parse', done.branch], { cwd: bare })).stdout.trim(), pushed.body.commit, 'it went to the real remote');
      assert.deepEqual(seen, [], 'the other server got nothing');
      assert.equal(existsSync(leak), false, 'no configured command ran');
    } finally {
      for (const [key] of settings) git(repo, 'config', '--unset', key!);
      await new Promise<void>((resolve) => collector.close(() => resolve()));
    }
  });

  it("refuses to send the token to a remote URL on another port of the host, which a project's remoteUrl could name", async () => {
    const done = await finishedAttempt('elsewhere.txt');
    const seen: string[] = [];
    const collector = createServer((req, res) => {
      seen.push(String(req.headers.authorization));
      res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' }).end();
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const real = origin.repoUrl('acme/widgets');
    try {
      const elsewhere = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/acme/widgets.git`;
      assert.equal((await request('PATCH', `/projects/${projectId}`, { remoteUrl: elsewhere })).status, 200);
      const refused = await request('POST', `/attempts/${done.id}/push`);
      assert.equal(refused.status, 422, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, 'FORGE_PROVIDER_NOT_CONFIGURED');
      assert.match(refused.body.error.message, /is not on https:\/\/127\.0\.0\.1 or http:\/\/127\.0\.0\.1:\d+, where the host's token may go/);
      assert.deepEqual(seen, []);
    } finally {
      await request('PATCH', `/projects/${projectId}`, { remoteUrl: real });
      await new Promise<void>((resolve) => collector.close(() => resolve()));
    }
  });

  it("pushes again over a branch the host deleted, or over its own push Forge did not get to record", async () => {
    const done = await finishedAttempt('again.txt');
    assert.equal((await request('POST', `/attempts/${done.id}/push`)).status, 200);
    await gitAsync(['update-ref', '-d', `refs/heads/${done.branch}`], { cwd: bare });
    const recreated = await request('POST', `/attempts/${done.id}/push`);
    assert.equal(recreated.status, 200, JSON.stringify(recreated.body));
    git(repo, 'update-ref', '-d', `refs/remotes/origin/${done.branch}`);
    const unrecorded = await request('POST', `/attempts/${done.id}/push`);
    assert.equal(unrecorded.status, 200, JSON.stringify(unrecorded.body));
    assert.equal(unrecorded.body.remote, origin.repoUrl('acme/widgets'), 'the answer names where it went');
  });

  it('answers 502 FORGE_PUSH_FAILED naming the fix when the host refuses the token, and never quotes it', async () => {
    const done = await finishedAttempt('refused.txt');
    origin.setCredentials(null, 'a-token-the-host-expects-instead-0000');
    try {
      const refused = await request('POST', `/attempts/${done.id}/push`);
      assert.equal(refused.status, 502, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, 'FORGE_PUSH_FAILED');
      assert.match(refused.body.error.message, /Authentication failed/i);
      assert.match(refused.body.error.message, /GitHub \(github\) at 127\.0\.0\.1, with the token from gitHosts\["127\.0\.0\.1"\]\.token, was refused; check that the token is valid/);
      assert.ok(!JSON.stringify(refused.body).includes(TOKEN));
    } finally {
      origin.setCredentials(null, TOKEN);
    }
  });

  it("refuses with 409 FORGE_PUSH_REJECTED when someone else pushed to the attempt's branch, and overwrites nothing", async () => {
    const done = await finishedAttempt('leased.txt');
    assert.equal((await request('POST', `/attempts/${done.id}/push`)).status, 200);
    // Someone else adds a commit to the branch on the host.
    const elsewhere = join(dirs.path, 'elsewhere');
    const helper = pushCredentialEnvironment(origin.repoUrl('acme/widgets'), 'someone', TOKEN);
    await gitAsync(['clone', '-q', '-b', done.branch, origin.repoUrl('acme/widgets'), elsewhere], { cwd: dirs.path, env: helper });
    await gitAsync(['-c', 'user.email=o@example.com', '-c', 'user.name=O', 'commit', '-q', '--allow-empty', '-m', 'theirs'], { cwd: elsewhere });
    await gitAsync(['push', '-q', 'origin', done.branch], { cwd: elsewhere, env: helper });
    const theirs = (await gitAsync(['rev-parse', 'HEAD'], { cwd: elsewhere })).stdout.trim();

    // The user's IDE fetches: the remote-tracking ref now names their commit, which must not make it Forge's.
    await gitAsync(['fetch', '-q', 'origin'], { cwd: repo, env: helper });
    await request('POST', `/attempts/${done.id}/rebase`);
    const rejected = await request('POST', `/attempts/${done.id}/push`);
    assert.equal(rejected.status, 409, JSON.stringify(rejected.body));
    assert.equal(rejected.body.error.code, 'FORGE_PUSH_REJECTED');
    assert.match(rejected.body.error.message, /has commits on .* that Forge did not push .*nothing was overwritten/);
    assert.equal((await gitAsync(['rev-parse', done.branch], { cwd: bare })).stdout.trim(), theirs, 'their commit is still there');
  });

  it('refuses a base that is not a fast-forward of the protected base on the host', async () => {
    const done = await finishedAttempt('base.txt');
    await gitAsync(['config', 'receive.denyNonFastForwards', 'true'], { cwd: bare });
    // The host's main moves on without us.
    const elsewhere = join(dirs.path, 'moved-main');
    const helper = pushCredentialEnvironment(origin.repoUrl('acme/widgets'), 'someone', TOKEN);
    await gitAsync(['clone', '-q', '-b', 'main', origin.repoUrl('acme/widgets'), elsewhere], { cwd: dirs.path, env: helper });
    await gitAsync(['-c', 'user.email=o@example.com', '-c', 'user.name=O', 'commit', '-q', '--allow-empty', '-m', 'moved'], { cwd: elsewhere });
    await gitAsync(['push', '-q', 'origin', 'main'], { cwd: elsewhere, env: helper });
    assert.equal((await request('POST', `/attempts/${done.id}/merge`)).status, 200);
    const rejected = await request('POST', `/attempts/${done.id}/push`, { branch: 'base' });
    assert.equal(rejected.status, 409, JSON.stringify(rejected.body));
    assert.equal(rejected.body.error.code, 'FORGE_PUSH_REJECTED');
  });

  it('leaves the token in no git config, worktree, answer or event', async () => {
    assert.deepEqual(filesHolding(join(repo, '.git'), TOKEN), []);
    assert.deepEqual(filesHolding(join(server.home, 'worktrees'), TOKEN), []);
    assert.deepEqual(answers.filter((answer) => answer.includes(TOKEN)), []);
    const events = await server.request('GET', '/git-providers');
    assert.ok(!JSON.stringify(events.body).includes(TOKEN));
    assert.equal(events.body.hosts[0].tokenConfigured, true);
    assert.equal(events.body.hosts[0].tokenSource, 'gitHosts["127.0.0.1"].token');
    for (const file of readdirSync(server.home).filter((name) => name.startsWith('forge.sqlite'))) {
      assert.ok(!readFileSync(join(server.home, file)).includes(TOKEN), `${file} holds no token`);
    }
  });
});
