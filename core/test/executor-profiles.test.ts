import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServerWithProject, type ServerWithProject } from './support/test-server.ts';

const PACK_DIR = fileURLToPath(new URL('./fixtures/packs/asks-approval', import.meta.url));
const SECRET = 'sk-profile-9d2c7e41a0b3';

describe('executor profiles', function () {
  this.timeout(60_000);
  let setup: ServerWithProject;

  beforeEach(async () => {
    setup = await startServerWithProject({
      env: { FORGE_PLUGIN_PATHS: PACK_DIR, FORGE_APPROVAL_TIMEOUT_MS: '200' },
      configFile: {
        executorProfiles: {
          'from-config': { executor: 'fake-agent', description: 'configured', options: { scenario: 'fail' } },
          hidden: { executor: 'not-installed', options: { apiKey: 'cfg-key-4411', model: 'm1' } },
        },
      },
    });
  });
  afterEach(async () => setup.close());

  const request = (method: string, path: string, body?: unknown) => setup.server.request(method, path, body);
  const startWith = async (body: Record<string, unknown>) => {
    const task = (await request('POST', '/tasks', { projectId: setup.projectId, title: 'with a profile' })).body;
    return request('POST', `/tasks/${task.id}/attempts`, body);
  };

  it('creates, lists, replaces and deletes a profile; an attempt starts from it, its own options on top', async () => {
    const put = await request('PUT', '/executor-profiles/quick', { executor: 'fake-agent', description: 'fast fail', options: { scenario: 'fail', delayMs: 5 } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual([put.body.source, put.body.options], ['api', { scenario: 'fail', delayMs: 5 }]);
    const listed = (await request('GET', '/executor-profiles')).body.items.map((p: any) => [p.name, p.source]);
    assert.deepEqual(listed, [['from-config', 'config'], ['hidden', 'config'], ['quick', 'api']]);

    const started = await startWith({ profile: 'quick', options: { delayMs: 0 } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.deepEqual([started.body.executor.id, started.body.options.scenario, started.body.options.delayMs], ['fake-agent', 'fail', 0]);
    assert.equal((await setup.server.waitForAttempt(started.body.id)).state, 'failed', 'the profile chose the failing scenario');

    const replaced = await request('PUT', '/executor-profiles/quick', { executor: 'fake-agent', options: { scenario: 'success' } });
    assert.equal(replaced.body.createdAt, put.body.createdAt);
    assert.deepEqual(replaced.body.options, { scenario: 'success' });
    assert.equal((await request('DELETE', '/executor-profiles/quick')).status, 204);
    assert.equal((await request('GET', '/executor-profiles/quick')).status, 404);
    assert.equal((await request('DELETE', '/executor-profiles/quick')).body.error.code, 'FORGE_PROFILE_NOT_FOUND');
  });

  it('starts from a profile of the configuration file, which the API cannot change', async () => {
    const started = await startWith({ profile: 'from-config' });
    assert.equal(started.status, 202);
    assert.equal(started.body.options.scenario, 'fail');
    for (const [method, body] of [['PUT', { executor: 'fake-agent' }], ['DELETE', undefined]] as const) {
      const refused = await request(method, '/executor-profiles/from-config', body);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'FORGE_PROFILE_READ_ONLY');
      assert.match(refused.body.error.message, /configuration file \(executorProfiles\.from-config\)/);
    }
  });

  it('keeps secret options sealed: shown as a marker, kept when sent back as the marker, opened for the run', async () => {
    const put = await request('PUT', '/executor-profiles/secretive', { executor: 'asks-approval', options: { token: SECRET, writes: [] } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.options.token, '[redacted]');
    assert.equal((await request('GET', '/executor-profiles/secretive')).body.options.token, '[redacted]');
    const again = await request('PUT', '/executor-profiles/secretive', { executor: 'asks-approval', options: { token: '[redacted]', writes: [], failure: 'none' } });
    assert.equal(again.status, 200);
    const started = await startWith({ profile: 'secretive' });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.equal(started.body.options.token, '[redacted]');
    assert.equal((await setup.server.waitForAttempt(started.body.id)).state, 'succeeded');
    const logs = (await request('GET', `/attempts/${started.body.id}/logs?limit=1000`)).body.items.map((e: any) => e.payload.text);
    assert.ok(logs.includes(`token sha256 ${createHash('sha256').update(SECRET).digest('hex')}`), 'the run got the secret itself, not the marker');
    for (const name of readdirSync(setup.server.home).filter((n) => n.startsWith('forge.sqlite'))) {
      assert.equal(readFileSync(join(setup.server.home, name)).indexOf(SECRET), -1, `${name} holds the secret in clear`);
    }
  });

  it('refuses an unknown profile, options the descriptors refuse and a profile that names another executor, with clear 4xx', async () => {
    const unknown = await startWith({ profile: 'nope' });
    assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'FORGE_PROFILE_NOT_FOUND']);
    assert.match(unknown.body.error.message, /No executor profile is named "nope"/);
    const badOptions = await request('PUT', '/executor-profiles/bad', { executor: 'fake-agent', options: { scenario: 'explode', colour: 'red' } });
    assert.equal(badOptions.status, 400);
    assert.deepEqual(badOptions.body.error.details.problems.map((p: any) => p.path).sort(), ['options.colour', 'options.scenario']);
    const noExecutor = await request('PUT', '/executor-profiles/bad', { executor: 'no-such-agent' });
    assert.deepEqual([noExecutor.status, noExecutor.body.error.code], [422, 'FORGE_EXECUTOR_NOT_FOUND']);
    const badName = await request('PUT', '/executor-profiles/Bad%20Name', { executor: 'fake-agent' });
    assert.equal(badName.status, 400);
    const mismatch = await startWith({ profile: 'from-config', executor: 'script' });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.body.error.message, /profile "from-config" is for executor "fake-agent", not "script"/);
    const neither = await startWith({ options: {} });
    assert.equal(neither.status, 400);
    assert.match(neither.body.error.message, /must contain at least one of \[executor, profile\]/);
    const marker = await request('PUT', '/executor-profiles/marker', { executor: 'asks-approval', options: { token: '[redacted]' } });
    assert.equal(marker.status, 400);
    assert.match(marker.body.error.message, /options\.token is "\[redacted\]".*has no stored token/);
    const markerOnStart = await startWith({ executor: 'asks-approval', options: { token: '[redacted]' } });
    assert.equal(markerOnStart.status, 400, 'the marker is never taken for the secret itself');
    assert.deepEqual((await request('GET', '/executor-profiles')).body.items.map((p: any) => p.name), ['from-config', 'hidden'], 'nothing was stored');
  });

  it('lets a profile leave out an option the attempt must give', async () => {
    const put = await request('PUT', '/executor-profiles/scripted', { executor: 'script', description: 'command per attempt' });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const missing = await startWith({ profile: 'scripted' });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error.message, /command/);
    const started = await startWith({ profile: 'scripted', options: { command: 'true' } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
  });

  it('shows no option of a configured profile whose executor is not loaded, since none can be told secret', async () => {
    const hidden = (await request('GET', '/executor-profiles/hidden')).body;
    assert.deepEqual(hidden.options, { apiKey: '[redacted]', model: '[redacted]' });
  });
});
