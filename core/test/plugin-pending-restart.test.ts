import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './support/server-process.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const run = promisify(execFile);
const FORGE_BIN = fileURLToPath(new URL('../bin/forge.js', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/installable/', import.meta.url));
const PACK = '@forge-test/installable';
const SCRIPT = '@forge-core/executor-script';
const FAKE_AGENT = '@forge-core/executor-fake-agent';

interface Listed {
  name: string;
  version: string;
  status: string;
  pending: string | null;
}

/** `forgecore <args>` in its own process, pointed at the server's FORGE_HOME and port. */
async function forgecore(home: string, port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [FORGE_BIN, ...args], { env: { ...process.env, FORGE_HOME: home, FORGE_PORT: String(port), FORGE_LOG_LEVEL: 'silent' } });
  return stdout;
}

describe('a pack change shows as pending until the server restarts', () => {
  let dirs: ReturnType<typeof tempDir>;
  let server: TestServer | null = null;

  beforeEach(() => {
    dirs = tempDir('forge-pending-');
  });
  afterEach(async () => {
    await server?.close();
    server = null;
    dirs.cleanup();
  });

  async function apiList(): Promise<{ restartRequired: boolean; packs: Map<string, Listed> }> {
    const { status, body } = await server!.request('GET', '/plugins');
    assert.equal(status, 200, JSON.stringify(body));
    return { restartRequired: body.restartRequired, packs: new Map(body.items.map((p: Listed) => [p.name, p])) };
  }

  async function cliList(home: string, port: number): Promise<{ server: string | null; restartRequired: boolean; packs: Map<string, Listed> }> {
    const body = JSON.parse(await forgecore(home, port, 'plugins', 'list', '--json'));
    return { server: body.server, restartRequired: body.restartRequired, packs: new Map(body.items.map((p: Listed) => [p.name, p])) };
  }

  const state = (pack: Listed | undefined) => [pack?.status, pack?.pending];

  it('in GET /plugins and forgecore plugins list, for changes made by the CLI and by the API', async function () {
    this.timeout(300_000);
    const home = join(dirs.path, 'home');
    server = await startTestServer({ FORGE_HOME: home });
    const port = Number(new URL(server.url).port);

    let api = await apiList();
    assert.equal(api.restartRequired, false);
    assert.ok([...api.packs.values()].every((p) => p.pending === null));

    // Installed by another process while the server runs: on disk, not loaded.
    await forgecore(home, port, 'plugins', 'add', join(fixtures, 'pack'));
    await forgecore(home, port, 'plugins', 'disable', SCRIPT);
    api = await apiList();
    assert.equal(api.restartRequired, true);
    assert.deepEqual(state(api.packs.get(PACK)), ['notLoaded', 'install']);
    assert.deepEqual(state(api.packs.get(SCRIPT)), ['loaded', 'disable']);
    assert.deepEqual(state(api.packs.get(FAKE_AGENT)), ['loaded', null]);

    const cli = await cliList(home, port);
    assert.equal(cli.server, server.url);
    assert.equal(cli.restartRequired, true);
    assert.deepEqual(state(cli.packs.get(PACK)), ['notLoaded', 'install']);
    assert.deepEqual(state(cli.packs.get(SCRIPT)), ['loaded', 'disable']);
    const text = await forgecore(home, port, 'plugins', 'list');
    assert.match(text, new RegExp(`^The server at ${server.url} \\(restart it to apply the pending changes\\):`));
    assert.match(text, /notLoaded +@forge-test\/installable@1\.2\.3 .*\[pending install\]/);
    assert.match(text, /loaded +@forge-core\/executor-script@\S+ .*\[pending disable\]/);

    // Undone before a restart: nothing pending for it any more.
    await forgecore(home, port, 'plugins', 'enable', SCRIPT);
    assert.deepEqual(state((await apiList()).packs.get(SCRIPT)), ['loaded', null]);
    // Through the API, the same.
    const disabled = await server.request('POST', `/plugins/${encodeURIComponent(FAKE_AGENT)}/disable`);
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    assert.deepEqual(state((await apiList()).packs.get(FAKE_AGENT)), ['loaded', 'disable']);

    await server.close();
    server = await startTestServer({ FORGE_HOME: home });
    const restartedPort = Number(new URL(server.url).port);
    api = await apiList();
    assert.equal(api.restartRequired, false, JSON.stringify([...api.packs.values()]));
    assert.deepEqual(state(api.packs.get(PACK)), ['loaded', null]);
    assert.deepEqual(state(api.packs.get(FAKE_AGENT)), ['disabled', null]);

    await forgecore(home, restartedPort, 'plugins', 'enable', FAKE_AGENT);
    assert.deepEqual(state((await apiList()).packs.get(FAKE_AGENT)), ['disabled', 'enable']);

    // Another version over the loaded one, then the pack removed.
    const newer = join(dirs.path, 'newer');
    cpSync(join(fixtures, 'pack'), newer, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(newer, 'package.json'), 'utf8'));
    writeFileSync(join(newer, 'package.json'), JSON.stringify({ ...manifest, version: '1.2.4' }));
    await forgecore(home, restartedPort, 'plugins', 'add', newer);
    assert.deepEqual(state((await apiList()).packs.get(PACK)), ['loaded', 'install']);
    const removed = await server.request('DELETE', `/plugins/${encodeURIComponent(PACK)}`);
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    api = await apiList();
    assert.deepEqual(state(api.packs.get(PACK)), ['loaded', 'remove'], 'still loaded in this process, gone at the next start');
    assert.equal(api.restartRequired, true);
  });

  it('forgecore plugins list with no server running shows what a start would load, nothing pending', async function () {
    this.timeout(120_000);
    const home = join(dirs.path, 'home');
    const port = await freePort();
    await forgecore(home, port, 'plugins', 'add', join(fixtures, 'pack'));
    const cli = await cliList(home, port);
    assert.equal(cli.server, null);
    assert.equal(cli.restartRequired, false);
    assert.deepEqual(state(cli.packs.get(PACK)), ['loaded', null]);
    assert.match(await forgecore(home, port, 'plugins', 'list'), new RegExp(`^No server answers at http://127\\.0\\.0\\.1:${port}\\. What a start would load:`));
  });
});
