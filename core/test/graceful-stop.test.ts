import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './support/workspace-root.ts';
import { makeRepo } from './support/git-repo.ts';
import { freePort, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { tempDir } from './support/temp-dir.ts';

/** Polls until `check` holds; the test's own timeout is the only bound. */
async function until<T>(check: () => T | false | undefined | Promise<T | false | undefined>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether something listens on the port: binding it fails then. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

interface NpmStart {
  npm: ChildProcess;
  npmExited: Promise<void>;
  /** The node process serving, read from its own log lines (pino writes its pid in each). */
  serverPid: number;
  url: string;
}

/** `npm start` in the clone, as a new user runs it, up to its first healthy answer. */
async function npmStart(home: string, port: number): Promise<NpmStart> {
  const npm = spawn('npm', ['start'], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, FORGE_HOME: home, FORGE_PORT: String(port), FORGE_LOG_LEVEL: 'info', npm_config_update_notifier: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout!.on('data', (chunk) => (output += chunk));
  npm.stderr!.on('data', (chunk) => (output += chunk));
  const npmExited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await until(async () => {
      if (npm.exitCode !== null) throw new Error(`npm start exited with ${npm.exitCode}: ${output}`);
      return fetch(`${url}/api/v1/health`).then((r) => r.ok, () => false);
    });
    // The health answer can come before the pipe has delivered the log line that names the pid.
    const deadline = Date.now() + 30_000;
    await until(async () => /"pid":\d+/.test(output) || Date.now() > deadline);
    const serverPid = Number(/"pid":(\d+)/.exec(output)?.[1]);
    assert.ok(serverPid > 0 && serverPid !== npm.pid, `the server's pid is in its log: ${output}`);
    return { npm, npmExited, serverPid, url };
  } catch (error) {
    // Not left running when the test fails here: npm passes SIGTERM on to the server it started.
    npm.kill('SIGTERM');
    await npmExited;
    throw error;
  }
}

async function api(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.json();
}

describe('stopping the server with a signal', () => {
  let dirs: ReturnType<typeof tempDir>;
  const started: number[] = [];
  let restarted: ServerProcess | null = null;

  beforeEach(() => {
    dirs = tempDir('forge-stop-');
  });
  afterEach(async () => {
    // Only what this test started, and only if a failed assertion left it running.
    for (const pid of started.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    if (restarted && restarted.child.exitCode === null) {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }
    restarted = null;
    dirs.cleanup();
  });

  it('SIGTERM to the npm start pid stops the server: the attempt ends cancelled with its work committed, the port is free', async function () {
    this.timeout(300_000);
    const home = join(dirs.path, 'home');
    const port = await freePort();
    const run = await npmStart(home, port);
    started.push(run.serverPid, run.npm.pid!);
    const project = await api(run.url, 'POST', '/projects', { name: 'stop', repoPath: makeRepo(join(dirs.path, 'repo')) });
    const task = await api(run.url, 'POST', '/tasks', { projectId: project.id, title: 'work until stopped' });
    const command = 'echo started > work.txt; sleep 600';
    const attempt = await api(run.url, 'POST', `/tasks/${task.id}/attempts`, { executor: 'script', options: { command } });
    await until(async () => {
      const now = await api(run.url, 'GET', `/attempts/${attempt.id}`);
      return now.state === 'running' && now.worktreePath && existsSync(join(now.worktreePath, 'work.txt'));
    });

    run.npm.kill('SIGTERM');
    await run.npmExited;
    await until(() => !isAlive(run.serverPid));
    assert.equal(await isListening(port), false, 'the port is released');
    assert.equal(run.npm.exitCode, 0, 'npm reports the clean exit of the server');

    restarted = await startServerProcess(home, port);
    const stopped = await api(restarted.url, 'GET', `/attempts/${attempt.id}`);
    assert.equal(stopped.state, 'cancelled', JSON.stringify(stopped));
    const diff = await api(restarted.url, 'GET', `/attempts/${attempt.id}/diff`);
    assert.ok(diff.files.some((f: { path: string }) => f.path === 'work.txt'), JSON.stringify(diff));
    assert.equal((await api(restarted.url, 'GET', `/tasks/${task.id}`)).status, 'inreview');
  });

  it('SIGINT to the npm start pid stops the server too', async function () {
    this.timeout(120_000);
    const port = await freePort();
    const run = await npmStart(join(dirs.path, 'home'), port);
    started.push(run.serverPid, run.npm.pid!);
    run.npm.kill('SIGINT');
    await run.npmExited;
    await until(() => !isAlive(run.serverPid));
    assert.equal(await isListening(port), false);
  });

  it('a SIGKILL to npm, which it cannot forward, still stops the server it started', async function () {
    this.timeout(120_000);
    const port = await freePort();
    const run = await npmStart(join(dirs.path, 'home'), port);
    started.push(run.serverPid, run.npm.pid!);
    run.npm.kill('SIGKILL');
    await run.npmExited;
    await until(() => !isAlive(run.serverPid));
    assert.equal(await isListening(port), false);
  });

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`${signal} to forgecore serve itself stops it gracefully (exit 0), a repeated signal included`, async function () {
      this.timeout(120_000);
      const port = await freePort();
      const server = await startServerProcess(join(dirs.path, 'home'), port);
      started.push(server.child.pid!);
      // Under npm a Ctrl-C arrives twice (from the terminal and forwarded by npm): the second must not cut the stop short.
      server.child.kill(signal);
      server.child.kill(signal);
      await server.exited;
      assert.deepEqual([server.child.exitCode, server.child.signalCode], [0, null]);
      assert.equal(await isListening(port), false);
    });
  }
});
