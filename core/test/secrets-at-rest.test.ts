import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrations, migrationSource } from '../../migrations/index.ts';
import { connectSqlite } from '../src/store/database.ts';
import { git, makeRepo } from './support/git-repo.ts';
import { readSse, type SseEvent } from './support/sse-client.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const PACK_DIR = fileURLToPath(new URL('./fixtures/packs/holds-a-secret', import.meta.url));
const PACK_NAME = 'forge-test-holds-a-secret';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Every byte the server keeps in its home (database, WAL, key file aside) holds none of `secrets`. */
function assertNotOnDisk(home: string, secrets: string[]): void {
  for (const name of readdirSync(home).filter((n) => n.startsWith('forge.sqlite'))) {
    const bytes = readFileSync(join(home, name));
    for (const secret of secrets) assert.equal(bytes.indexOf(secret), -1, `${name} holds ${secret}`);
  }
}

async function rawRow(home: string, table: string, id: string): Promise<Record<string, unknown>> {
  const db = connectSqlite(join(home, 'forge.sqlite'));
  try {
    return await db(table).where({ id }).first();
  } finally {
    await db.destroy();
  }
}

describe('secrets at rest', () => {
  let dirs: ReturnType<typeof tempDir>;
  let home: string;
  let repo: string;
  let server: TestServer | null = null;

  // The same home across restarts, with the pack that declares the secret loaded or not.
  const start = async (packLoaded: boolean) => {
    server = await startTestServer({
      FORGE_HOME: home,
      FORGE_PLUGIN_PATHS: PACK_DIR,
      ...(packLoaded ? {} : { FORGE_PLUGINS_DISABLED: PACK_NAME }),
    });
    return server;
  };
  const stop = async () => {
    await server?.close();
    server = null;
  };

  beforeEach(() => {
    dirs = tempDir('forge-secrets-');
    home = join(dirs.path, 'home');
    repo = makeRepo(join(dirs.path, 'repo'));
  });

  afterEach(async () => {
    await stop();
    dirs.cleanup();
  });

  describe('secret executor options', () => {
    const SECRET = 'sk-live-7f3a9c1e5b2d4f60';

    it('are never shown or stored in clear, whether their pack is loaded or not, and still reach the agent after a restart', async () => {
      let forge = await start(true);
      const project = (await forge.request('POST', '/projects', { name: 's', repoPath: repo })).body;
      const task = (await forge.request('POST', '/tasks', { projectId: project.id, title: 'hold a secret' })).body;
      const started = await forge.request('POST', `/tasks/${task.id}/attempts`, { executor: 'holds-secret', options: { token: SECRET, note: 'visible' } });
      assert.equal(started.status, 202, JSON.stringify(started.body));
      assert.deepEqual(started.body.options, { token: '[redacted]', note: 'visible' });
      const attemptId: string = started.body.id;
      assert.equal((await forge.waitForAttempt(attemptId)).state, 'succeeded');
      const texts = async () => (await forge.request('GET', `/attempts/${attemptId}/logs?limit=1000`)).body.items.map((e: any) => e.payload.text);
      const firstRun = await texts();
      assert.ok(firstRun.includes(`sha256 ${sha256(SECRET)}`), 'the agent had the secret in its environment');
      assert.ok(firstRun.includes('echo [redacted]'), 'what the agent printed of it is masked in the log');
      assert.ok(firstRun.includes('the pack was given [redacted]'), 'and so is what the pack logged of it');
      assert.equal(statSync(join(home, 'secret.key')).mode & 0o777, 0o600);
      await stop();

      // The pack that says "token" is secret is gone: nothing may depend on its descriptors now.
      forge = await start(false);
      let opened!: () => void;
      const open = new Promise<void>((resolve) => (opened = resolve));
      const watching = readSse(`${forge.url}/api/v1/events`, {
        onOpen: opened,
        until: (events) => events.some((e) => e.event === 'attempt.updated' && e.data.data.id === attemptId && e.data.data.state === 'failed'),
      });
      await open;
      const followUp = await forge.request('POST', `/attempts/${attemptId}/follow-up`, { prompt: 'again' });
      assert.equal(followUp.status, 202, JSON.stringify(followUp.body));
      const events: SseEvent[] = await watching;
      const failed = await forge.waitForAttempt(attemptId);
      assert.equal(failed.error.code, 'FORGE_EXECUTOR_NOT_FOUND', 'the run needs the pack; the view does not');
      const shown = [
        failed,
        followUp.body,
        (await forge.request('GET', `/attempts/${attemptId}`)).body,
        (await forge.request('GET', `/tasks/${task.id}/attempts`)).body,
        (await forge.request('GET', `/attempts/${attemptId}/logs?limit=1000`)).body,
        events,
      ];
      assert.ok(events.some((e) => e.event === 'attempt.updated' && e.data.data.options.token === '[redacted]'), 'the event stream carried the attempt');
      for (const body of shown) assert.ok(!JSON.stringify(body).includes(SECRET), `no secret in ${JSON.stringify(body).slice(0, 200)}`);
      assert.deepEqual(shown[2].options, { token: '[redacted]', note: 'visible' });
      await stop();

      forge = await start(true);
      await forge.request('POST', `/attempts/${attemptId}/follow-up`, { prompt: 'once more' });
      assert.equal((await forge.waitForAttempt(attemptId)).state, 'succeeded');
      const hashes = (await texts()).filter((text: string) => text === `sha256 ${sha256(SECRET)}`);
      assert.equal(hashes.length, 2, 'the secret, opened from the database after two restarts, reached the agent again');
      await stop();

      const row = await rawRow(home, 'attempts', attemptId);
      assert.deepEqual(JSON.parse(row.options as string), { token: '[redacted]', note: 'visible' });
      assert.match(row.sealed_options as string, /^v1:/);
      assertNotOnDisk(home, [SECRET]);
    });

    it('are masked in the error an agent reports', async () => {
      const forge = await start(true);
      const project = (await forge.request('POST', '/projects', { name: 's', repoPath: repo })).body;
      const task = (await forge.request('POST', '/tasks', { projectId: project.id, title: 'fail' })).body;
      const started = await forge.request('POST', `/tasks/${task.id}/attempts`, { executor: 'holds-secret', options: { token: SECRET, note: 'fail' } });
      const failed = await forge.waitForAttempt(started.body.id);
      assert.deepEqual(failed.error, { code: 'FORGE_AGENT_FAILED', message: 'failed while holding [redacted]' });
      const processes = (await forge.request('GET', `/attempts/${started.body.id}/processes`)).body;
      assert.ok(!JSON.stringify(processes).includes(SECRET));
    });

    it('fail an attempt plainly when the key no longer opens them, and refuse new ones while the key is unreadable', async () => {
      let forge = await start(true);
      const project = (await forge.request('POST', '/projects', { name: 's', repoPath: repo })).body;
      const task = (await forge.request('POST', '/tasks', { projectId: project.id, title: 'key' })).body;
      const started = await forge.request('POST', `/tasks/${task.id}/attempts`, { executor: 'holds-secret', options: { token: SECRET } });
      assert.equal((await forge.waitForAttempt(started.body.id)).state, 'succeeded');
      await stop();

      writeFileSync(join(home, 'secret.key'), `${randomBytes(32).toString('base64')}\n`);
      forge = await start(true);
      await forge.request('POST', `/attempts/${started.body.id}/follow-up`, { prompt: 'again' });
      const failed = await forge.waitForAttempt(started.body.id);
      assert.equal(failed.state, 'failed');
      assert.equal(failed.error.code, 'FORGE_SECRETS_UNAVAILABLE');
      assert.match(failed.error.message, /secret\.key: the key is not the one they were sealed with/);
      await stop();

      writeFileSync(join(home, 'secret.key'), 'not a key\n');
      forge = await start(true);
      const refused = await forge.request('POST', `/tasks/${task.id}/attempts`, { executor: 'holds-secret', options: { token: SECRET } });
      assert.equal(refused.status, 503);
      assert.equal(refused.body.error.code, 'FORGE_SECRETS_UNAVAILABLE');
      assert.match(refused.body.error.message, /must hold 32 bytes in base64/);
    });
  });

  describe('rows stored before secrets were sealed', () => {
    const LEGACY = 'sk-legacy-a1b2c3d4e5f6';
    const ORPHAN = 'sk-orphan-0a9b8c7d6e5f';
    const REMOTE = 'http://user:remote-password@127.0.0.1:1/x.git';
    const ids = {
      project: '01900000-0000-7000-8000-000000000001',
      task: '01900000-0000-7000-8000-000000000002',
      known: '01900000-0000-7000-8000-000000000003',
      orphan: '01900000-0000-7000-8000-000000000004',
    };

    /** The database an older Forge left: every migration before sealed options, secrets in clear. */
    async function seedOlderDatabase(): Promise<void> {
      const db = connectSqlite(join(home, 'forge.sqlite'));
      const before = migrations.findIndex(([name]) => name.endsWith('_attempt_sealed_options'));
      for (let i = 0; i < before; i++) await db.migrate.up({ migrationSource });
      const ts = '2026-11-24T00:00:00.000Z';
      await db('projects').insert({ id: ids.project, name: 'old', repo_path: repo, remote_url: REMOTE, default_branch: 'main', created_at: ts, updated_at: ts });
      await db('tasks').insert({ id: ids.task, project_id: ids.project, title: 'old task', status: 'inreview', created_at: ts, updated_at: ts });
      const attempt = (id: string, executor: string, pack: string, options: Record<string, unknown>) => ({
        id,
        task_id: ids.task,
        executor_id: executor,
        executor_package: pack,
        executor_version: '1.0.0',
        contract_version: '1.0.0',
        options: JSON.stringify(options),
        prompt: 'p',
        branch: `forge/${id.slice(-8)}`,
        base_branch: 'main',
        state: 'succeeded',
        created_at: ts,
        updated_at: ts,
      });
      await db('attempts').insert([
        attempt(ids.known, 'holds-secret', PACK_NAME, { token: LEGACY, note: 'kept' }),
        attempt(ids.orphan, 'uninstalled', 'forge-executor-uninstalled', { apiKey: ORPHAN, model: 'm1' }),
      ]);
      await db.destroy();
      assert.ok(readFileSync(join(home, 'forge.sqlite')).includes(LEGACY), 'the older database holds the secret in clear');
    }

    it('are sealed at start: by descriptors when the pack is loaded, whole when it is not; remote URLs lose their credentials', async () => {
      await seedOlderDatabase();
      const forge = await start(true);

      assert.deepEqual((await forge.request('GET', `/attempts/${ids.known}`)).body.options, { token: '[redacted]', note: 'kept' });
      assert.deepEqual(
        (await forge.request('GET', `/attempts/${ids.orphan}`)).body.options,
        { apiKey: '[redacted]', model: '[redacted]' },
        'no descriptor says which option of an unloaded pack is secret, so none is shown',
      );
      assert.equal((await forge.request('GET', `/projects/${ids.project}`)).body.remoteUrl, 'http://127.0.0.1:1/x.git');

      await forge.request('POST', `/attempts/${ids.known}/follow-up`, { prompt: 'after the upgrade' });
      assert.equal((await forge.waitForAttempt(ids.known)).state, 'succeeded');
      const texts = (await forge.request('GET', `/attempts/${ids.known}/logs?limit=1000`)).body.items.map((e: any) => e.payload.text);
      assert.ok(texts.includes(`sha256 ${sha256(LEGACY)}`), 'the sealed legacy secret reaches the agent');
      await stop();

      for (const id of [ids.known, ids.orphan]) {
        const row = await rawRow(home, 'attempts', id);
        assert.equal(Boolean(row.options_redacted), true);
        assert.match(row.sealed_options as string, /^v1:/);
      }
      assert.equal((await rawRow(home, 'projects', ids.project)).remote_url, 'http://127.0.0.1:1/x.git');
      assertNotOnDisk(home, [LEGACY, ORPHAN, 'remote-password']);
    });
  });

  describe('remote URLs', () => {
    it('keep no credential in the API, the event stream or the database, while git still uses the remote as configured', async () => {
      const remote = 'http://user:remote-secret@127.0.0.1:1/x.git';
      git(repo, 'remote', 'add', 'origin', remote);
      const forge = await start(true);
      let opened!: () => void;
      const open = new Promise<void>((resolve) => (opened = resolve));
      const watching = readSse(`${forge.url}/api/v1/events`, { onOpen: opened, until: (events) => events.some((e) => e.event === 'project.updated') });
      await open;

      const created = await forge.request('POST', '/projects', { name: 'r', repoPath: repo });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.remoteUrl, 'http://127.0.0.1:1/x.git', 'read from git, without the credential');
      const patched = await forge.request('PATCH', `/projects/${created.body.id}`, { remoteUrl: 'https://ghp_token0123456789@github.com/o/r.git' });
      assert.equal(patched.body.remoteUrl, 'https://github.com/o/r.git', 'a lone token user over https goes too');
      const other = makeRepo(join(dirs.path, 'other'));
      const sent = await forge.request('POST', '/projects', { name: 'o', repoPath: other, remoteUrl: 'ssh://git:ssh-password@host/o.git' });
      assert.equal(sent.body.remoteUrl, 'ssh://git@host/o.git', 'ssh keeps its user name, never a password');
      const events = await watching;

      const shown = [created.body, patched.body, sent.body, (await forge.request('GET', `/projects/${created.body.id}`)).body, (await forge.request('GET', '/projects')).body, events];
      for (const body of shown) {
        const text = JSON.stringify(body);
        for (const secret of ['remote-secret', 'ghp_token0123456789', 'ssh-password']) assert.ok(!text.includes(secret), `${secret} in ${text.slice(0, 200)}`);
      }

      // The push goes through git with the remote as the repository configures it: credentials
      // included (the connection is refused here), and none of them in the answer.
      const task = (await forge.request('POST', '/tasks', { projectId: created.body.id, title: 'push' })).body;
      // The agent may print the remote, credentials and all: its log keeps none of them.
      git(repo, 'remote', 'set-url', '--push', 'origin', 'https://127.0.0.1:1/x.git?access_token=query-secret-6');
      const command = 'git remote -v; git config --get remote.origin.url; echo pushed > p.txt';
      const attempt = (await forge.request('POST', `/tasks/${task.id}/attempts`, { executor: 'script', options: { command } })).body;
      assert.equal((await forge.waitForAttempt(attempt.id)).state, 'succeeded');
      const printed = JSON.stringify((await forge.request('GET', `/attempts/${attempt.id}/logs`)).body);
      assert.match(printed, /127\.0\.0\.1:1\/x\.git/, 'the agent printed its remotes');
      for (const secret of ['remote-secret', 'query-secret-6']) assert.ok(!printed.includes(secret), `${secret} in the log: ${printed}`);
      const message = git(repo, 'log', '-1', '--format=%B', attempt.branch);
      for (const secret of ['remote-secret', 'query-secret-6']) assert.ok(!message.includes(secret), `${secret} in the commit message: ${message}`);
      git(repo, 'remote', 'set-url', '--delete', '--push', 'origin', '.*');
      const pushed = await forge.request('POST', `/attempts/${attempt.id}/push`);
      assert.equal(pushed.body.error.code, 'FORGE_PUSH_FAILED');
      assert.ok(!JSON.stringify(pushed.body).includes('remote-secret'), pushed.body.error.message);
      assert.equal(git(repo, 'remote', 'get-url', 'origin'), remote, "the repository's own remote is untouched");
      assert.equal(existsSync(join(home, 'secret.key')), false, 'no secret was sealed, so no key was made');
      await stop();

      assertNotOnDisk(home, ['remote-secret', 'ghp_token0123456789', 'ssh-password', 'query-secret-6']);
    });
  });
});
