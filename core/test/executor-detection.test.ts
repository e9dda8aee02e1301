import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PackRegistry } from '../src/plugins/pack-registry.ts';
import { tempDir } from './support/temp-dir.ts';
import { startServerWithProject, type ServerWithProject } from './support/test-server.ts';

const PACK_DIR = fileURLToPath(new URL('./fixtures/packs/flips-availability', import.meta.url));
const PACK = 'forge-test-flips-availability';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('executor detection: GET /executors and ?refresh=true', function () {
  this.timeout(60_000);
  let setup: ServerWithProject;
  let files: ReturnType<typeof tempDir>;
  let flagFile: string;

  beforeEach(async () => {
    files = tempDir('forge-flag-');
    flagFile = join(files.path, 'flips-cli');
    setup = await startServerWithProject({
      env: { FORGE_PLUGIN_PATHS: PACK_DIR, FORGE_PLUGINS_ENABLED: `${PACK},@forge-core/executor-script` },
      configFile: { executors: { flips: { flagFile } } },
    });
  });
  afterEach(async () => {
    await setup.close();
    files.cleanup();
  });

  const request = (method: string, path: string, body?: unknown) => setup.server.request(method, path, body);
  const flips = async (query = '') => {
    const { status, body } = await request('GET', `/executors${query}`);
    assert.equal(status, 200, JSON.stringify(body));
    return body.items.find((e: { id: string }) => e.id === 'flips');
  };
  const packStatus = async () => (await request('GET', '/plugins')).body.items.find((p: { name: string }) => p.name === PACK);
  const start = async () => {
    const task = (await request('POST', '/tasks', { projectId: setup.projectId, title: 'flip' })).body;
    return request('POST', `/tasks/${task.id}/attempts`, { executor: 'flips' });
  };

  it('lists the executors of a pack none of whose executors can run, saying what to install', async () => {
    const pack = await packStatus();
    assert.equal(pack.status, 'unavailable');
    assert.deepEqual(pack.executors, ['flips']);
    const { body } = await request('GET', '/executors');
    assert.deepEqual(body.items.map((e: { id: string }) => e.id), ['flips', 'script']);
    const executor = body.items[0];
    assert.equal(executor.available, false);
    assert.equal(executor.detectedVersion, null);
    assert.equal(executor.reason, `Install the flips CLI by writing its version into ${flagFile}.`);
    assert.match(executor.detectedAt, ISO);
    assert.equal(executor.package, PACK);
  });

  it('detects again on ?refresh=true only, and attempt starts follow the new answer both ways', async () => {
    const atStart = await flips();
    const refused = await start();
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error.code, 'FORGE_EXECUTOR_UNAVAILABLE');

    writeFileSync(flagFile, '3.1.4\n');
    assert.deepEqual(await flips(), atStart, 'without refresh the answer from start stays');
    const installed = await flips('?refresh=true');
    assert.deepEqual([installed.available, installed.detectedVersion, installed.reason], [true, '3.1.4', null]);
    assert.ok(installed.detectedAt >= atStart.detectedAt, `${installed.detectedAt} is not before ${atStart.detectedAt}`);
    assert.deepEqual([(await packStatus()).status, (await packStatus()).error], ['loaded', null]);
    const started = await start();
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.equal((await setup.server.waitForAttempt(started.body.id)).state, 'succeeded');

    rmSync(flagFile);
    const removed = await flips('?refresh=false');
    assert.equal(removed.available, true, 'refresh=false detects nothing');
    assert.equal((await flips('?refresh=true')).available, false);
    const pack = await packStatus();
    assert.equal(pack.status, 'unavailable');
    assert.equal(pack.error.code, 'FORGE_EXECUTOR_UNAVAILABLE');
    assert.equal((await start()).body.error.code, 'FORGE_EXECUTOR_UNAVAILABLE');
  });

  it('refuses a refresh that is not a boolean', async () => {
    const { status, body } = await request('GET', '/executors?refresh=maybe');
    assert.equal(status, 400);
    assert.equal(body.error.code, 'FORGE_VALIDATION_FAILED');
    assert.match(body.error.message, /refresh/);
  });
});

describe('PackRegistry.refreshDetection', () => {
  let files: ReturnType<typeof tempDir>;
  beforeEach(() => (files = tempDir('forge-refresh-')));
  afterEach(() => files.cleanup());

  it('runs detect once for refreshes asked for while one is under way, and again for a later one', async () => {
    const callsFile = join(files.path, 'calls');
    const registry = await PackRegistry.load({
      home: files.path,
      localPaths: [PACK_DIR],
      selection: { enabled: [PACK], disabled: [], disabledByUser: [] },
      hookTimeoutMs: 5_000,
      executorSettings: { flips: { flagFile: join(files.path, 'flag'), callsFile } },
    });
    const calls = () => readFileSync(callsFile, 'utf8').split('\n').filter(Boolean).length;
    assert.equal(calls(), 1, 'detected once at load');
    const first = registry.refreshDetection();
    const second = registry.refreshDetection();
    assert.equal(second, first, 'the second refresh shares the first');
    await Promise.all([first, second]);
    assert.equal(calls(), 2);
    const third = registry.refreshDetection();
    assert.notEqual(third, first);
    await third;
    assert.equal(calls(), 3);
  });
});
