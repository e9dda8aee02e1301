import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const packs = fileURLToPath(new URL('./fixtures/packs/', import.meta.url));

describe('executor boundary', () => {
  let server: TestServer;
  let repos: ReturnType<typeof tempDir>;
  let taskId: string;

  before(async () => {
    server = await startTestServer({
      FORGE_PLUGIN_PATHS: ['misbehaving', 'bad-manifest', 'future-sdk'].map((p) => join(packs, p)).join(':'),
    });
    repos = tempDir('forge-boundary-');
    const repo = makeRepo(join(repos.path, 'repo'));
    const project = (await server.request('POST', '/projects', { name: 'b', repoPath: repo })).body;
    taskId = (await server.request('POST', '/tasks', { projectId: project.id, title: 'misbehave' })).body.id;
  });

  after(async () => {
    await server.close();
    repos.cleanup();
  });

  async function run(executor: string) {
    const started = await server.request('POST', `/tasks/${taskId}/attempts`, { executor });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    return server.waitForAttempt(started.body.id);
  }

  it('fails an attempt whose executor yields an event that breaks the contract', async () => {
    const attempt = await run('emits-invalid');
    assert.equal(attempt.state, 'failed');
    assert.equal(attempt.error.code, 'FORGE_PLUGIN_EVENT_INVALID');
    assert.match(attempt.error.message, /role/);
  });

  it('fails an attempt whose executor throws, naming the executor', async () => {
    const attempt = await run('throws-midrun');
    assert.equal(attempt.state, 'failed');
    assert.equal(attempt.error.code, 'FORGE_PLUGIN_HOOK_FAILED');
    assert.match(attempt.error.message, /throws-midrun.*executor blew up/);
  });

  it('fails an attempt whose executor ends without a done event', async () => {
    const attempt = await run('no-done');
    assert.equal(attempt.state, 'failed');
    assert.equal(attempt.error.code, 'FORGE_PLUGIN_EVENT_INVALID');
  });

  it('hands a secret option to the agent in its environment and never shows it in the API or the log', async () => {
    const token = 'sk-fixture-0123456789';
    const started = await server.request('POST', `/tasks/${taskId}/attempts`, { executor: 'uses-secret', options: { token } });
    assert.equal(started.status, 202);
    assert.equal(started.body.options.token, '[redacted]');
    const attempt = await server.waitForAttempt(started.body.id);
    assert.equal(attempt.state, 'succeeded');
    const logs = await server.request('GET', `/attempts/${attempt.id}/logs`);
    assert.ok(logs.body.items.some((e: any) => e.payload.text === `token length ${token.length}`));
    const everything = JSON.stringify([started.body, attempt, logs.body, (await server.request('GET', `/tasks/${taskId}/attempts`)).body]);
    assert.ok(!everything.includes(token), 'the token appears nowhere');
  });

  it('reports packs that cannot load with a code and a fix, and keeps serving the others', async () => {
    const byName = new Map(server.forge.registry.packs.map((p) => [p.name, p]));
    const bad = byName.get('forge-test-bad-manifest')!;
    assert.equal(bad.status, 'failed');
    assert.equal(bad.error!.code, 'FORGE_PLUGIN_MANIFEST_INVALID');
    assert.match(bad.error!.message, /forge\.manifestVersion/);
    const future = byName.get('forge-test-future-sdk')!;
    assert.equal(future.error!.code, 'FORGE_PLUGIN_SDK_INCOMPATIBLE');
    assert.match(future.error!.message, /requires forge SDK \^9\.0\.0 but this host implements 1\.0\.0/);
    const { body } = await server.request('GET', '/executors');
    const ids = body.items.map((e: any) => e.id);
    assert.ok(ids.includes('script') && ids.includes('fake-agent') && ids.includes('no-done') && ids.includes('uses-secret'));
    assert.ok(!ids.includes('from-the-future'));
    const started = await server.request('POST', `/tasks/${taskId}/attempts`, { executor: 'script', options: { command: 'true' } });
    assert.equal((await server.waitForAttempt(started.body.id)).state, 'succeeded', 'the other packs still run');
  });
});
