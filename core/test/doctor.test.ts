import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/store/database.ts';
import { freePort } from './support/server-process.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer } from './support/test-server.ts';

const FORGE_BIN = fileURLToPath(new URL('../bin/forge.js', import.meta.url));
const PACK_DIR = fileURLToPath(new URL('./fixtures/packs/flips-availability', import.meta.url));
const FLIPS_PACK = 'forge-test-flips-availability';
const SCRIPT_PACK = '@forge-core/executor-script';

/** `forgecore doctor <args>` as a user runs it, with no server unless the test starts one. */
function doctor(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [FORGE_BIN, 'doctor', ...args], { env: { ...process.env, FORGE_LOG_LEVEL: 'silent', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

/** The text line of one check: "  <status>  <name>  <detail>". */
const checkLine = (stdout: string, name: string) => stdout.split('\n').find((line) => new RegExp(`^  \\w+\\s+${name} `).test(line)) ?? '';

describe('forgecore doctor', function () {
  // A backstop only: each case waits for the command to exit, and a busy machine spawns slowly.
  this.timeout(120_000);
  let dirs: ReturnType<typeof tempDir>;
  let port: number;
  beforeEach(async () => {
    dirs = tempDir('forge-doctor-');
    port = await freePort();
  });
  afterEach(() => dirs.cleanup());

  it('on a machine Forge never ran on: the home and database are to be created, the port is free; it creates nothing', async () => {
    const home = join(dirs.path, 'not-yet');
    const run = await doctor({ FORGE_HOME: home, FORGE_PORT: String(port), FORGE_PLUGINS_ENABLED: SCRIPT_PACK });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(checkLine(run.stdout, 'FORGE_HOME'), /^ {2}ok\s+FORGE_HOME\s+.*not-yet does not exist yet; the server creates it at start\.$/);
    assert.match(checkLine(run.stdout, 'database'), /^ {2}ok\s+database\s+.*forge\.sqlite does not exist yet/);
    assert.match(checkLine(run.stdout, 'git'), /^ {2}ok\s+git\s+git \d+\.\d+\.\d+ \(2\.38\.0 or newer needed\)$/);
    assert.match(checkLine(run.stdout, 'port'), new RegExp(`^  ok\\s+port\\s+${port} is free$`));
    assert.match(run.stdout, /^EXECUTOR\s+AVAILABLE\s+VERSION\s+PACKAGE\s+WHAT TO INSTALL \/ REASON$/m);
    assert.match(run.stdout, /^script\s+yes\s+-\s+@forge-core\/executor-script@\S+$/m);
    assert.equal(existsSync(home), false, 'doctor created FORGE_HOME');

    // A home that could not be made, under a file, fails before the server would.
    const underFile = await doctor({ FORGE_HOME: '/dev/null/forge-home', FORGE_PORT: String(port), FORGE_PLUGINS_ENABLED: SCRIPT_PACK });
    assert.equal(underFile.code, 1, underFile.stdout + underFile.stderr);
    assert.match(checkLine(underFile.stdout, 'FORGE_HOME'), /^ {2}fail\s+FORGE_HOME\s+\/dev\/null\/forge-home cannot be created: \/dev\/null is not a folder\./);
  });

  it('prints what to install for an unavailable executor and exits 1 while none can run, 0 once one can', async () => {
    const flagFile = join(dirs.path, 'flips-cli');
    writeFileSync(join(dirs.path, 'config.json'), JSON.stringify({ executors: { flips: { flagFile } } }));
    const env = { FORGE_HOME: dirs.path, FORGE_PORT: String(port), FORGE_PLUGIN_PATHS: PACK_DIR, FORGE_PLUGINS_ENABLED: FLIPS_PACK };

    const missing = await doctor(env);
    assert.equal(missing.code, 1, missing.stdout + missing.stderr);
    assert.match(checkLine(missing.stdout, 'executors'), /^ {2}fail\s+executors\s+none of 1 can run here/);
    const row = missing.stdout.split('\n').find((line) => line.startsWith('flips '));
    assert.deepEqual(row?.split(/ {2,}/), ['flips', 'no', '-', `${FLIPS_PACK}@1.0.0`, `Install the flips CLI by writing its version into ${flagFile}.`]);

    writeFileSync(flagFile, '3.1.4\n');
    const installed = await doctor(env, '--json');
    assert.equal(installed.code, 0, installed.stdout + installed.stderr);
    const report = JSON.parse(installed.stdout);
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.checks.map((c: { name: string; status: string }) => [c.name, c.status]),
      [['FORGE_HOME', 'ok'], ['git', 'ok'], ['database', 'ok'], ['port', 'ok'], ['server', 'ok'], ['packs', 'ok'], ['executors', 'ok']],
    );
    const [flips] = report.executors;
    assert.deepEqual([report.executors.length, flips.id, flips.available, flips.detectedVersion, flips.reason, flips.package], [1, 'flips', true, '3.1.4', null, FLIPS_PACK]);
    assert.equal(typeof flips.detectedAt, 'string');
  });

  it('warns about a home other users can read, fails on a port another program holds and on a file that is no database', async () => {
    const env = { FORGE_HOME: dirs.path, FORGE_PORT: String(port), FORGE_PLUGINS_ENABLED: SCRIPT_PACK };
    const db = await openDatabase(join(dirs.path, 'forge.sqlite'));
    await db.destroy();
    chmodSync(dirs.path, 0o755);
    const readable = await doctor(env);
    assert.equal(readable.code, 0, 'a warning alone does not fail');
    assert.match(checkLine(readable.stdout, 'FORGE_HOME'), /^ {2}warn\s+FORGE_HOME\s+.* has mode 0755: other users can read it, and secret\.key lives there\. Run chmod 700 /);
    assert.match(checkLine(readable.stdout, 'database'), /^ {2}ok\s+database\s+.*forge\.sqlite opens$/);

    writeFileSync(join(dirs.path, 'forge.sqlite'), 'not a database, only text long enough to fill a header page '.repeat(20));
    const holder = createServer((_request, response) => response.writeHead(404).end('no Forge here'));
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const broken = await doctor(env, '--json');
      assert.equal(broken.code, 1, broken.stdout + broken.stderr);
      const checks = new Map(JSON.parse(broken.stdout).checks.map((c: { name: string }) => [c.name, c]));
      assert.deepEqual(checks.get('port'), {
        name: 'port',
        status: 'fail',
        detail: `${port} is in use by another program: it answered 404 (not a Forge Core answer). Stop it or set FORGE_PORT to another port.`,
      });
      assert.equal((checks.get('database') as { status: string }).status, 'fail');
      assert.match((checks.get('database') as { detail: string }).detail, /forge\.sqlite does not open: .*not a database/);
    } finally {
      holder.closeAllConnections();
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('warns, not fails, when a Forge server holds the port (it cannot tell whose), opens its database while it runs, and says whether it takes the token', async () => {
    const token = 'doctor-test-token-5b1e';
    const server = await startTestServer({ FORGE_API_TOKEN: token });
    try {
      const serverPort = new URL(server.url).port;
      const env = { FORGE_HOME: server.home, FORGE_PORT: serverPort, FORGE_PLUGINS_ENABLED: SCRIPT_PACK };
      const run = await doctor({ ...env, FORGE_API_TOKEN: token });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(checkLine(run.stdout, 'port'), new RegExp(`^  warn\\s+port\\s+${serverPort} is in use by a Forge server at http://127\\.0\\.0\\.1:${serverPort}: fine if it is this configuration's`));
      assert.match(checkLine(run.stdout, 'database'), /^ {2}ok\s+database\s+.*forge\.sqlite opens$/);
      assert.match(checkLine(run.stdout, 'server'), /^ {2}ok\s+server\s+Forge Core \(contract \d+\.\d+\.\d+\) answers at .* and takes this configuration's token/);

      const tokenless = await doctor(env);
      assert.equal(tokenless.code, 0, 'a warning alone does not fail');
      assert.match(checkLine(tokenless.stdout, 'server'), /^ {2}warn\s+server\s+the Forge Core server at .* refuses requests without its API token: set FORGE_API_TOKEN/);
    } finally {
      await server.close();
    }
  });

  it('--help prints its usage, and forgecore --help lists it', async () => {
    const help = await doctor({}, '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: forgecore doctor \[--json\]/);
    const usage = await new Promise<string>((resolve) => execFile(process.execPath, [FORGE_BIN, '--help'], (_error, stdout) => resolve(stdout)));
    assert.match(usage, /^ {2}doctor\s+Check git, FORGE_HOME/m);
  });
});
