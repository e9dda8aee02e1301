import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './support/workspace-root.ts';
import { freePort, startServerProcess } from './support/server-process.ts';
import { tempDir } from './support/temp-dir.ts';

const FORGE_BIN = join(WORKSPACE_ROOT, 'core', 'bin', 'forge.js');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `forgecore <args>` as a user runs it, waited for until it exits on its own. */
function forgecore(env: Record<string, string>, ...args: string[]): Promise<Finished> {
  const child = spawn(process.execPath, [FORGE_BIN, ...args], { env: { ...process.env, FORGE_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** Whether something listens on the port: binding it fails then. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

describe('the forgecore command line', function () {
  // A backstop only: each case waits for its processes to exit, and a busy machine spawns slowly.
  this.timeout(300_000);
  let home: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  let port: number;

  beforeEach(async () => {
    home = tempDir('forge-cli-');
    port = await freePort();
    env = { FORGE_HOME: home.path, FORGE_PORT: String(port) };
  });
  afterEach(() => home.cleanup());

  it('is installed as forgecore, a name that is not the unrelated npm package "forge"', () => {
    const pkg = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'core', 'package.json'), 'utf8'));
    assert.deepEqual(pkg.bin, { forgecore: './bin/forge.js' });
  });

  it('--version and -v print the version of @forge-core/core', async () => {
    const { version } = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'core', 'package.json'), 'utf8'));
    for (const flag of ['--version', '-v']) {
      const run = await forgecore(env, flag);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `${version}\n`);
    }
  });

  it('--help prints the commands and exits 0', async () => {
    const run = await forgecore(env, '--help');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Usage: forgecore <command>/);
    assert.match(run.stdout, /serve/);
  });

  it('serve --help prints the help of serve and exits 0 without listening', async () => {
    for (const flag of ['--help', '-h']) {
      const run = await forgecore(env, 'serve', flag);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Usage: forgecore serve \[--port <port>\] \[--host <address>\]/);
      assert.equal(await isListening(port), false, 'no server was started');
    }
  });

  it('an unknown command says so in one line, with where the usage is, and exits 2', async () => {
    const run = await forgecore(env, 'srve');
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'forgecore: Unknown command: srve. Run `forgecore --help` for usage.\n');
    const option = await forgecore(env, '--prot');
    assert.equal(option.code, 2);
    assert.equal(option.stderr, 'forgecore: Unknown option: --prot. Run `forgecore --help` for usage.\n');
  });

  it('serve refuses an unknown flag, a flag without its value and a bad port, with exit 2 and no server', async () => {
    const unknown = await forgecore(env, 'serve', '--prot', '9999');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^forgecore serve: Unknown option '--prot'/);
    assert.match(unknown.stderr, /Run `forgecore serve --help` for usage\./);
    const missing = await forgecore(env, 'serve', '--port');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Option '--port <value>' argument missing/);
    const bad = await forgecore(env, 'serve', '--port', '70000');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--port must be a port number from 0 to 65535, got "70000"/);
    const positional = await forgecore(env, 'serve', 'now');
    assert.equal(positional.code, 2);
    assert.match(positional.stderr, /Unexpected argument 'now'/);
    assert.equal(await isListening(port), false);
  });

  it('plugins refuses an unknown subcommand and an unknown flag with exit 2', async () => {
    const unknown = await forgecore(env, 'plugins', 'install', 'x');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^forgecore plugins: Unknown command: install/);
    const flag = await forgecore(env, 'plugins', 'list', '--jsno');
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /^forgecore plugins: Unknown option '--jsno'/);
    const extra = await forgecore(env, 'plugins', 'remove', 'a', 'b');
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /Unexpected argument "b" after remove/);
  });

  it('serve on an address in use says so in one line, with how to choose another port, and exits 2 (a setup problem)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const run = await forgecore(env, 'serve');
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.equal(
        run.stderr,
        `forgecore serve: 127.0.0.1:${port} is in use (another Forge Core server, or another program). Start on another port with --port <port> or FORGE_PORT, or stop what listens there.\n`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('serve --port and --host win over FORGE_PORT and FORGE_HOST', async () => {
    const chosen = await freePort();
    // FORGE_HOST alone would be refused (no token): --host makes it a loopback bind.
    const server = await startServerProcess(home.path, chosen, { FORGE_PORT: String(port), FORGE_HOST: '0.0.0.0' }, ['--port', String(chosen), '--host', '127.0.0.1']);
    try {
      const health = await fetch(`${server.url}/api/v1/health`);
      assert.equal(health.status, 200);
      assert.equal(await isListening(port), false, 'FORGE_PORT was overridden');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('serve --host refuses a non-loopback address without a token, as FORGE_HOST does', async () => {
    const run = await forgecore(env, 'serve', '--host', '0.0.0.0');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Refusing to bind to 0\.0\.0\.0 without an API token/);
  });
});
