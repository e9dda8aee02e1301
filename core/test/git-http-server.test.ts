import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { git, GitCommandError, gitOutput, type GitResult } from '../src/git/git.ts';
import { startGitHttpServer, type GitHttpServer } from './support/git-http-server.ts';
import { tempDir } from './support/temp-dir.ts';

const USER = 'forge';
const TOKEN = 'forge-test-token-3f9c2a71';
const WRONG_TOKEN = 'forge-wrong-token-8d41b0e5';

/** How the client gets its credentials: never in a URL or a config file, only from the environment. */
type ClientAuth = { helperToken: string } | { bearerToken: string };

// The helper reads the token from an environment variable at the moment git asks, so the
// command line and the config hold only the script, never the secret.
const CREDENTIAL_HELPER = `!f() { test "$1" = get || return 0; echo username=${USER}; echo "password=$FORGE_TEST_TOKEN"; }; f`;

function basic(user: string, token: string): string {
  return `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
}

describe('git http-backend test server', () => {
  let dirs: ReturnType<typeof tempDir>;
  let home: string;
  let source: string;
  let server: GitHttpServer;

  /**
   * Git as a client of the server, asynchronously (a synchronous git would block the event loop
   * the server answers on): no prompt, no config from the machine or the user, credentials
   * passed through environment config only.
   */
  function clientGit(cwd: string, args: string[], auth?: ClientAuth): Promise<GitResult> {
    const config: [string, string][] = [];
    const env: Record<string, string> = {
      HOME: home,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Dev',
      GIT_AUTHOR_EMAIL: 'dev@example.com',
      GIT_COMMITTER_NAME: 'Dev',
      GIT_COMMITTER_EMAIL: 'dev@example.com',
    };
    if (auth && 'helperToken' in auth) {
      config.push(['credential.helper', CREDENTIAL_HELPER]);
      env['FORGE_TEST_TOKEN'] = auth.helperToken;
    }
    if (auth && 'bearerToken' in auth) config.push(['http.extraHeader', `Authorization: Bearer ${auth.bearerToken}`]);
    env['GIT_CONFIG_COUNT'] = String(config.length);
    config.forEach(([key, value], index) => {
      env[`GIT_CONFIG_KEY_${index}`] = key;
      env[`GIT_CONFIG_VALUE_${index}`] = value;
    });
    return git(args, { cwd, env, timeoutMs: 50_000 });
  }

  /** The failure of a git command that must fail. */
  async function gitFailure(run: Promise<GitResult>): Promise<GitCommandError> {
    try {
      await run;
    } catch (error) {
      if (error instanceof GitCommandError) return error;
      throw error;
    }
    assert.fail('git succeeded where it should have failed');
  }

  async function commitFile(repo: string, file: string, content: string | Buffer): Promise<string> {
    await writeFile(join(repo, file), content);
    await clientGit(repo, ['add', file]);
    await clientGit(repo, ['commit', '-q', '-m', `write ${file}`]);
    return gitOutput(['rev-parse', 'HEAD'], { cwd: repo });
  }

  /** Clones `name` with the right token from the credential helper. */
  async function cloneOf(name: string): Promise<string> {
    const clone = join(dirs.path, 'clones', name);
    await clientGit(dirs.path, ['clone', '-q', server.repoUrl(name), clone], { helperToken: TOKEN });
    return clone;
  }

  /** A rewrite of main's last commit: pushing it is not a fast-forward. */
  async function divergeFromOrigin(clone: string): Promise<string> {
    await clientGit(clone, ['reset', '-q', '--hard', 'HEAD~1']);
    return commitFile(clone, 'rewritten.txt', 'history rewritten\n');
  }

  async function assertTokenInNoFileUnder(dir: string): Promise<void> {
    const files = await readdir(dir, { recursive: true, withFileTypes: true });
    const contents = files.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
    assert.ok(contents.includes(join(dir, 'config')), `expected a config file under ${dir}`);
    for (const file of contents) {
      assert.ok(!(await readFile(file)).includes(TOKEN), `the token is written in ${file}`);
    }
  }

  before(async () => {
    dirs = tempDir('forge-git-http-');
    home = join(dirs.path, 'home');
    source = join(dirs.path, 'source');
    await clientGit(dirs.path, ['init', '-q', '-b', 'main', source]);
    await commitFile(source, 'README.md', '# demo\n');
    await commitFile(source, 'second.txt', 'second commit\n');
    server = await startGitHttpServer({ root: join(dirs.path, 'served'), username: USER, token: TOKEN });
  });

  after(async () => {
    await server?.close();
    dirs?.cleanup();
  });

  it('answers a request without credentials with 401 and a Basic challenge', async () => {
    await server.createBareRepo('challenge', { from: source });
    const response = await fetch(`${server.repoUrl('challenge')}/info/refs?service=git-upload-pack`);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Basic realm="forge-test"');
    assert.deepEqual(server.requests.at(-1), {
      method: 'GET',
      path: '/challenge.git/info/refs',
      user: null,
      authorized: false,
      service: 'git-upload-pack',
    });
  });

  it('clones with the token from a credential helper, and writes the token into no file of the clone', async () => {
    await server.createBareRepo('cloned', { from: source });
    const clone = await cloneOf('cloned');
    assert.equal(await gitOutput(['rev-parse', 'HEAD'], { cwd: clone }), await gitOutput(['rev-parse', 'main'], { cwd: source }));
    assert.ok(server.authorizationHeadersSeen().includes(basic(USER, TOKEN)), 'git sent the Basic header built from the helper');
    assert.ok(
      server.requests.some((r) => r.path === '/cloned.git/git-upload-pack' && r.authorized && r.user === USER),
      JSON.stringify(server.requests),
    );
    assert.ok(!JSON.stringify(server.requests).includes(TOKEN), 'the request records hold no token');
    await assertTokenInNoFileUnder(join(clone, '.git'));
  });

  it('pushes a new branch as the authenticated user', async () => {
    const bare = await server.createBareRepo('pushed', { from: source });
    const clone = await cloneOf('pushed');
    await clientGit(clone, ['switch', '-q', '-c', 'feature']);
    const commit = await commitFile(clone, 'feature.txt', 'a feature\n');
    await clientGit(clone, ['push', '-q', 'origin', 'feature'], { helperToken: TOKEN });
    assert.equal(await gitOutput(['rev-parse', 'feature'], { cwd: bare }), commit);
    assert.ok(server.requests.some((r) => r.path === '/pushed.git/git-receive-pack' && r.authorized && r.user === USER));
    await assertTokenInNoFileUnder(join(clone, '.git'));
  });

  it("pushes a pack larger than git's post buffer, which git sends chunked with no Content-Length", async () => {
    const bare = await server.createBareRepo('large', { from: source });
    const clone = await cloneOf('large');
    // Incompressible bytes, so the pack stays above http.postBuffer (1 MiB by default); a hash
    // chain keeps them the same on every run.
    const blocks: Buffer[] = [createHash('sha256').update('large').digest()];
    while (blocks.length * 32 < 1.5 * 1024 * 1024) blocks.push(createHash('sha256').update(blocks.at(-1)!).digest());
    const commit = await commitFile(clone, 'large.bin', Buffer.concat(blocks));
    await clientGit(clone, ['push', '-q', 'origin', 'main'], { helperToken: TOKEN });
    assert.equal(await gitOutput(['rev-parse', 'main'], { cwd: bare }), commit);
  });

  it('rejects a push that is not a fast-forward, and takes it when forced', async () => {
    const bare = await server.createBareRepo('diverged', { from: source });
    const clone = await cloneOf('diverged');
    const before = await gitOutput(['rev-parse', 'main'], { cwd: bare });
    const rewritten = await divergeFromOrigin(clone);

    const refused = await gitFailure(clientGit(clone, ['push', 'origin', 'main'], { helperToken: TOKEN }));
    assert.notEqual(refused.exitCode, 0);
    assert.match(refused.stderr, /rejected/);
    assert.equal(await gitOutput(['rev-parse', 'main'], { cwd: bare }), before);

    await clientGit(clone, ['push', '-q', '--force', 'origin', 'main'], { helperToken: TOKEN });
    assert.equal(await gitOutput(['rev-parse', 'main'], { cwd: bare }), rewritten);
  });

  it('with denyNonFastForwards refuses even a forced push that rewrites history, and still takes a fast-forward', async () => {
    const bare = await server.createBareRepo('protected', { from: source, denyNonFastForwards: true });
    const clone = await cloneOf('protected');
    const before = await gitOutput(['rev-parse', 'main'], { cwd: bare });
    await divergeFromOrigin(clone);

    const refused = await gitFailure(clientGit(clone, ['push', '--force', 'origin', 'main'], { helperToken: TOKEN }));
    assert.notEqual(refused.exitCode, 0);
    assert.match(refused.stderr, /remote rejected/, 'the server, not the client, refused it');
    assert.equal(await gitOutput(['rev-parse', 'main'], { cwd: bare }), before);

    await clientGit(clone, ['reset', '-q', '--hard', 'origin/main']);
    const forward = await commitFile(clone, 'forward.txt', 'on top of main\n');
    await clientGit(clone, ['push', '-q', 'origin', 'main'], { helperToken: TOKEN });
    assert.equal(await gitOutput(['rev-parse', 'main'], { cwd: bare }), forward);
  });

  it('refuses a wrong token: git fails saying authentication failed, and no message shows either token', async () => {
    await server.createBareRepo('guarded', { from: source });
    const target = join(dirs.path, 'clones', 'guarded-wrong');
    const failed = await gitFailure(clientGit(dirs.path, ['clone', server.repoUrl('guarded'), target], { helperToken: WRONG_TOKEN }));
    assert.notEqual(failed.exitCode, 0);
    assert.match(failed.stderr, /Authentication failed|401/);
    for (const token of [TOKEN, WRONG_TOKEN]) {
      assert.ok(!failed.message.includes(token) && !failed.stderr.includes(token) && !failed.stdout.includes(token));
    }
    assert.ok(server.authorizationHeadersSeen().includes(basic(USER, WRONG_TOKEN)), 'the wrong token was what git sent');
    const guarded = server.requests.filter((r) => r.path.startsWith('/guarded.git/'));
    assert.ok(guarded.length > 0 && guarded.every((r) => !r.authorized), JSON.stringify(guarded));
  });

  it('accepts the token as a Bearer header, for fetching and for pushing', async () => {
    const bare = await server.createBareRepo('bearer', { from: source });
    const clone = join(dirs.path, 'clones', 'bearer');
    await clientGit(dirs.path, ['clone', '-q', server.repoUrl('bearer'), clone], { bearerToken: TOKEN });
    assert.ok(server.authorizationHeadersSeen().includes(`Bearer ${TOKEN}`));
    await clientGit(clone, ['switch', '-q', '-c', 'by-bearer']);
    const commit = await commitFile(clone, 'bearer.txt', 'pushed with a bearer token\n');
    await clientGit(clone, ['push', '-q', 'origin', 'by-bearer'], { bearerToken: TOKEN });
    assert.equal(await gitOutput(['rev-parse', 'by-bearer'], { cwd: bare }), commit);
    await assertTokenInNoFileUnder(join(clone, '.git'));
  });

  it('checks the user name while one is set, accepts any user name once it is null, and drops a replaced token', async () => {
    await server.createBareRepo('credentials', { from: source });
    const infoRefs = `${server.repoUrl('credentials')}/info/refs?service=git-upload-pack`;
    const statusWith = async (authorization: string) => (await fetch(infoRefs, { headers: { authorization } })).status;
    try {
      assert.equal(await statusWith(basic(USER, TOKEN)), 200);
      assert.equal(await statusWith(basic('someone-else', TOKEN)), 401);
      server.setCredentials(null, TOKEN);
      assert.equal(await statusWith(basic('someone-else', TOKEN)), 200);
      server.setCredentials(USER, WRONG_TOKEN);
      assert.equal(await statusWith(basic(USER, TOKEN)), 401);
      assert.equal(await statusWith(`Bearer ${TOKEN}`), 401);
      assert.equal(await statusWith(basic(USER, WRONG_TOKEN)), 200);
    } finally {
      server.setCredentials(USER, TOKEN);
    }
  });

  it('hands a gzipped protocol v2 request to the backend with its encoding and Git-Protocol header', async () => {
    await server.createBareRepo('gzipped', { from: source });
    // A v2 ls-refs command in pkt-lines: it means nothing to protocol v0 and is unreadable unless
    // inflated, so refs come back only when both headers reached the backend.
    const lsRefs = Buffer.from('0014command=ls-refs\n0001000csymrefs\n0000');
    const response = await fetch(`${server.repoUrl('gzipped')}/git-upload-pack`, {
      method: 'POST',
      headers: {
        authorization: basic(USER, TOKEN),
        'content-type': 'application/x-git-upload-pack-request',
        'content-encoding': 'gzip',
        'git-protocol': 'version=2',
      },
      body: gzipSync(lsRefs),
    });
    const body = await response.text();
    assert.equal(response.status, 200, body);
    assert.equal(response.headers.get('content-type'), 'application/x-git-upload-pack-result');
    const main = await gitOutput(['rev-parse', 'main'], { cwd: source });
    assert.ok(body.includes(`${main} refs/heads/main`), body);
  });
});
