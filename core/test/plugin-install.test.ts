import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, lstatSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SDK_CONTRACT_VERSION } from '@forge-core/sdk';
import { SDK_DIR } from '../src/plugins/discover.ts';
import { builtScopeDir } from '../../scripts/build-inputs.mjs';
import { makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer } from './support/test-server.ts';

const run = promisify(execFile);
const FORGE_BIN = fileURLToPath(new URL('../bin/forge.js', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/installable/', import.meta.url));
const PACK = '@forge-test/installable';

/**
 * `forgecore <args>` as a user runs it, against one FORGE_HOME with no server (port 0: `plugins
 * list` asks none, whatever listens on 8887); never throws, so failures can be asserted.
 */
async function forge(home: string, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, [FORGE_BIN, ...args], { env: { ...process.env, FORGE_HOME: home, FORGE_PORT: '0', FORGE_LOG_LEVEL: 'silent' } });
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

async function listed(home: string): Promise<Map<string, { status: string; source: string; version: string; error: { code: string } | null }>> {
  const { code, out } = await forge(home, 'plugins', 'list', '--json');
  assert.equal(code, 0, out);
  return new Map(JSON.parse(out).items.map((p: { name: string }) => [p.name, p]));
}

describe('installing packs', () => {
  let dirs: ReturnType<typeof tempDir>;
  let tarball: string;

  before(async () => {
    dirs = tempDir('forge-install-');
    await run('npm', ['pack', join(fixtures, 'pack'), '--pack-destination', dirs.path, '--silent']);
    tarball = join(dirs.path, readdirSync(dirs.path).find((f) => f.endsWith('.tgz'))!);
  });
  after(() => dirs.cleanup());

  it('forgecore plugins add installs a folder; list, disable, enable and remove act on it', async () => {
    const home = join(dirs.path, 'cli-home');
    const added = await forge(home, 'plugins', 'add', join(fixtures, 'pack'));
    assert.equal(added.code, 0, added.out);
    assert.match(added.out, /Installed @forge-test\/installable@1\.2\.3 into .*plugins\. Restart the server/);
    const manifest = JSON.parse(readFileSync(join(home, 'plugins', 'package.json'), 'utf8'));
    assert.ok(manifest.dependencies[PACK], 'recorded in the plugins folder');
    // A copy, not a link back to the source folder: deleting or editing the source cannot break it.
    assert.ok(existsSync(join(home, 'plugins', 'node_modules', '@forge-test', 'installable', 'index.js')));
    // The SDK it imports is the host's own, linked, not a copy that would go stale on upgrade:
    // the command runs the build, so its SDK is the built one beside the built server.
    const sdk = join(home, 'plugins', 'node_modules', '@forge-core', 'sdk');
    assert.ok(lstatSync(sdk).isSymbolicLink());
    assert.equal(realpathSync(sdk), realpathSync(join(builtScopeDir(), 'sdk')));

    let packs = await listed(home);
    assert.deepEqual([packs.get(PACK)?.status, packs.get(PACK)?.source, packs.get(PACK)?.version], ['loaded', 'installed', '1.2.3']);
    assert.equal(packs.get('@forge-core/executor-script')?.status, 'loaded', 'the built-in packs are listed beside it');

    assert.equal((await forge(home, 'plugins', 'disable', PACK)).code, 0);
    packs = await listed(home);
    assert.equal(packs.get(PACK)?.status, 'disabled');
    assert.equal(packs.get(PACK)?.error?.code, 'FORGE_PLUGIN_DISABLED');
    assert.equal((await forge(home, 'plugins', 'enable', PACK)).code, 0);
    assert.equal((await listed(home)).get(PACK)?.status, 'loaded');

    const typo = await forge(home, 'plugins', 'disable', '@forge-test/instalable');
    assert.equal(typo.code, 1);
    assert.match(typo.out, /FORGE_NOT_FOUND: No pack named @forge-test\/instalable; known packs: .*@forge-test\/installable/);

    assert.equal((await forge(home, 'plugins', 'remove', PACK)).code, 0);
    assert.equal((await listed(home)).has(PACK), false);
    const again = await forge(home, 'plugins', 'remove', PACK);
    assert.equal(again.code, 1);
    assert.match(again.out, /was not installed with `forgecore plugins add`/);
  });

  it('serializes installs from two forge processes on one FORGE_HOME, keeping both', async () => {
    const home = join(dirs.path, 'two-processes-home');
    const second = join(dirs.path, 'second-pack');
    cpSync(join(fixtures, 'pack'), second, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(second, 'package.json'), 'utf8'));
    writeFileSync(join(second, 'package.json'), JSON.stringify({ ...manifest, name: '@forge-test/second', forge: { ...manifest.forge, contributes: { executors: ['second'] } } }));
    writeFileSync(join(second, 'index.js'), readFileSync(join(second, 'index.js'), 'utf8').replace("id: 'installable'", "id: 'second'"));
    const [one, two] = await Promise.all([forge(home, 'plugins', 'add', join(fixtures, 'pack')), forge(home, 'plugins', 'add', second)]);
    assert.equal(one.code, 0, one.out);
    assert.equal(two.code, 0, two.out);
    const packs = await listed(home);
    assert.equal(packs.get(PACK)?.status, 'loaded');
    assert.equal(packs.get('@forge-test/second')?.status, 'loaded');
  });

  it('installs a tarball through the API, and the restarted server runs an attempt with it', async () => {
    const home = join(dirs.path, 'api-home');
    const first = await startTestServer({ FORGE_HOME: home });
    try {
      const installed = await first.request('POST', '/plugins', { source: tarball });
      assert.equal(installed.status, 201, JSON.stringify(installed.body));
      assert.deepEqual(installed.body, { name: PACK, version: '1.2.3', restartRequired: true });
      const list = (await first.request('GET', '/plugins')).body;
      assert.equal(list.restartRequired, true);
      const pending = list.items.find((p: { name: string }) => p.name === PACK);
      assert.deepEqual([pending?.status, pending?.pending], ['notLoaded', 'install'], 'a pack loads at the next start, not before');
    } finally {
      // close(), not just stop(): the test server's own spare FORGE_HOME goes too; ours stays for the restart.
      await first.close();
    }

    const second = await startTestServer({ FORGE_HOME: home });
    const repos = tempDir('forge-install-repo-');
    try {
      const pack = (await second.request('GET', '/plugins')).body.items.find((p: { name: string }) => p.name === PACK);
      assert.equal(pack?.status, 'loaded');
      const project = (await second.request('POST', '/projects', { name: 'installed', repoPath: makeRepo(join(repos.path, 'repo')) })).body;
      const task = (await second.request('POST', '/tasks', { projectId: project.id, title: 'use the installed pack' })).body;
      const started = await second.request('POST', `/tasks/${task.id}/attempts`, { executor: 'installable' });
      assert.equal(started.status, 202, JSON.stringify(started.body));
      const attempt = await second.waitForAttempt(started.body.id);
      assert.equal(attempt.state, 'succeeded', JSON.stringify(attempt.error));
      const diff = (await second.request('GET', `/attempts/${attempt.id}/diff`)).body;
      assert.ok(diff.files.some((f: { path: string }) => f.path === 'installed.txt'));

      const scoped = encodeURIComponent(PACK);
      const disabled = await second.request('POST', `/plugins/${scoped}/disable`);
      assert.deepEqual(disabled.body, { name: PACK, enabled: false, restartRequired: true });
      const removed = await second.request('DELETE', `/plugins/${scoped}`);
      assert.equal(removed.status, 200, JSON.stringify(removed.body));
      const gone = await second.request('DELETE', `/plugins/${scoped}`);
      assert.equal(gone.status, 404);
      assert.equal(gone.body.error.code, 'FORGE_NOT_FOUND');
    } finally {
      await second.close();
      repos.cleanup();
    }
  });

  it('refuses what is not a pack, needs another SDK major or does not exist, and keeps nothing of it', async () => {
    const home = join(dirs.path, 'refuse-home');
    const server = await startTestServer({ FORGE_HOME: home });
    try {
      const plain = await server.request('POST', '/plugins', { source: join(fixtures, 'not-a-pack') });
      assert.equal(plain.status, 422);
      assert.equal(plain.body.error.code, 'FORGE_PLUGIN_MANIFEST_INVALID');
      assert.match(plain.body.error.message, /forge-test-plain-library is not a Forge pack: its package.json has no "forge" field/);
      const future = await server.request('POST', '/plugins', { source: join(fixtures, 'needs-sdk-2') });
      assert.equal(future.status, 422);
      assert.equal(future.body.error.code, 'FORGE_PLUGIN_SDK_INCOMPATIBLE');
      assert.match(future.body.error.message, new RegExp(`requires forge SDK \\^2\\.0\\.0 but this host implements ${SDK_CONTRACT_VERSION.replaceAll('.', '\\.')}`));
      const manifest = JSON.parse(readFileSync(join(home, 'plugins', 'package.json'), 'utf8'));
      assert.deepEqual(Object.keys(manifest.dependencies), ['@forge-core/sdk'], 'neither was kept');

      const sdk = await server.request('POST', '/plugins', { source: SDK_DIR });
      assert.equal(sdk.status, 400);
      assert.match(sdk.body.error.message, /@forge-core\/sdk is the SDK packs are built on/);
      const missing = await server.request('POST', '/plugins', { source: join(dirs.path, 'nowhere.tgz') });
      assert.equal(missing.status, 422);
      assert.match(missing.body.error.message, /No file or folder at/);
      const url = await server.request('POST', '/plugins', { source: 'git+https://example.invalid/pack.git' });
      assert.equal(url.status, 400);
      assert.match(url.body.error.message, /is not an npm package name/);
    } finally {
      await server.close();
    }
  });
});
