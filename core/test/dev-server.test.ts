import assert from 'node:assert/strict';
import { announcedPort } from '../src/runtime/dev-server-port.ts';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { makeRepo } from './support/git-repo.ts';
import { freePort, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { readSse } from './support/sse-client.ts';
import { tempDir } from './support/temp-dir.ts';
import { startServerWithProject, startTestServer, type ServerWithProject } from './support/test-server.ts';

/** A dev server in one line: listens on $PORT on 127.0.0.1 and says where. */
const DEV_SCRIPT = `${JSON.stringify(process.execPath)} -e "require('http').createServer((q, s) => s.end('dev ok')).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready on http://127.0.0.1:' + process.env.PORT))"`;

/** Whether something accepts connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether `pid` runs (a zombie waiting to be reaped has ended). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** Kills what a failed test may have left: the dev server's process group, by the pid it reported. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined || !alive(pid)) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

describe('dev server', function () {
  this.timeout(120_000);
  let setup: ServerWithProject;
  const started: number[] = [];

  before(async () => {
    setup = await startServerWithProject();
    assert.equal((await setup.server.request('PATCH', `/projects/${setup.projectId}`, { devScript: DEV_SCRIPT })).status, 200);
  });

  afterEach(() => {
    for (const pid of started.splice(0)) killGroup(pid);
  });

  after(async () => {
    await setup?.close();
  });

  /** A finished attempt of a new task, its worktree kept. */
  async function finishedAttempt(title: string): Promise<{ taskId: string; attemptId: string }> {
    const { server, projectId } = setup;
    const task = (await server.request('POST', '/tasks', { projectId, title })).body;
    const attempt = (await server.request('POST', `/tasks/${task.id}/attempts`, { executor: 'script', options: { command: 'true' } })).body;
    const finished = await server.waitForAttempt(attempt.id);
    assert.equal(finished.state, 'succeeded', JSON.stringify(finished.error));
    return { taskId: task.id, attemptId: attempt.id };
  }

  /** Starts the dev server and waits until its port is known. */
  async function startDevServer(attemptId: string): Promise<any> {
    const { server } = setup;
    const posted = await server.request('POST', `/attempts/${attemptId}/dev-server`);
    assert.equal(posted.status, 202, JSON.stringify(posted.body));
    started.push(posted.body.pid);
    return server.waitFor(async () => {
      const { body } = await server.request('GET', `/attempts/${attemptId}/dev-server`);
      return body.state === 'running' ? body : undefined;
    });
  }

  it('refuses a project without a dev script (422), saying how to set one', async () => {
    const { server, projectId } = setup;
    const { attemptId } = await finishedAttempt('no dev script');
    assert.equal((await server.request('PATCH', `/projects/${projectId}`, { devScript: null })).status, 200);
    try {
      const refused = await server.request('POST', `/attempts/${attemptId}/dev-server`);
      assert.equal(refused.status, 422, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, 'FORGE_UNPROCESSABLE');
      assert.match(refused.body.error.message, /devScript/);
      const none = await server.request('GET', `/attempts/${attemptId}/dev-server`);
      assert.equal(none.status, 404, JSON.stringify(none.body));
    } finally {
      await server.request('PATCH', `/projects/${projectId}`, { devScript: DEV_SCRIPT });
    }
  });

  it('runs the dev script in the worktree with PORT, reports the port it listens on, logs its output, and runs once per attempt', async () => {
    const { server } = setup;
    const { attemptId } = await finishedAttempt('previewed');
    const dev = await startDevServer(attemptId);
    assert.equal(dev.port, dev.assignedPort, 'it listens on the PORT it was given');
    assert.ok([`http://127.0.0.1:${dev.port}/`, `http://localhost:${dev.port}/`].includes(dev.url), dev.url);
    assert.equal(await (await fetch(`http://127.0.0.1:${dev.port}/`)).text(), 'dev ok');

    const line = await server.waitFor(async () =>
      (await server.request('GET', `/attempts/${attemptId}/logs?limit=1000`)).body.items.find((e: any) => e.processId === dev.processId && e.kind === 'log'),
    );
    assert.equal(line.payload.text, `ready on http://127.0.0.1:${dev.port}`);
    assert.equal(line.payload.stream, 'stdout');
    const processes = (await server.request('GET', `/attempts/${attemptId}/processes`)).body.items;
    assert.deepEqual(
      processes.filter((p: any) => p.kind === 'dev').map((p: any) => [p.id, p.status, p.pid]),
      [[dev.processId, 'running', dev.pid]],
    );

    const again = await server.request('POST', `/attempts/${attemptId}/dev-server`);
    assert.equal(again.status, 202);
    assert.equal(again.body.processId, dev.processId, 'a second start answers the running one');

    const stopped = await server.request('DELETE', `/attempts/${attemptId}/dev-server`);
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    assert.equal(stopped.body.state, 'stopped');
    assert.equal(await listening(dev.port), false, 'its port is closed');
    assert.equal(alive(dev.pid), false, 'its process is gone');
  });

  it('runs beside the attempt’s agent, both writing to one log with every seq once and no entry lost, and outlives the run', async () => {
    const { server, projectId } = setup;
    // Pauses between the agent's messages: it is still writing when the dev server starts.
    const run = async (title: string) => {
      const task = (await server.request('POST', '/tasks', { projectId, title })).body;
      return (await server.request('POST', `/tasks/${task.id}/attempts`, { executor: 'fake-agent', options: { delayMs: 300 } })).body.id as string;
    };
    const logOf = async (attemptId: string) => (await server.request('GET', `/attempts/${attemptId}/logs?limit=1000`)).body.items;
    const alone = await run('runs alone');
    const attemptId = await run('previewed while it runs');
    // Started once the agent has written: the two writers' entries interleave.
    await server.waitFor(async () => (await logOf(attemptId)).length > 0);
    const dev = await startDevServer(attemptId);
    for (const id of [alone, attemptId]) assert.equal((await server.waitForAttempt(id, 60_000)).state, 'succeeded');
    assert.ok(await listening(dev.port), 'the dev server outlives the run');

    const log = await logOf(attemptId);
    assert.deepEqual(
      log.map((e: any) => e.seq),
      log.map((_: unknown, i: number) => i + 1),
      'one numbering for both writers',
    );
    const devAt = log.findIndex((e: any) => e.processId === dev.processId);
    assert.ok(devAt > 0 && devAt < log.length - 1, `the dev server’s line is among the agent’s (at ${devAt} of ${log.length})`);
    const agentKinds = (entries: any[]) => entries.filter((e) => e.processId !== dev.processId).map((e) => e.kind);
    assert.deepEqual(agentKinds(log), agentKinds(await logOf(alone)), 'the agent logged what it logs when it runs alone');
    assert.equal((await server.request('DELETE', `/attempts/${attemptId}/dev-server`)).body.state, 'stopped');
  });

  it('keeps a finished attempt’s live log open while its dev server runs, and ends it once it stops', async () => {
    const { server } = setup;
    const { attemptId } = await finishedAttempt('followed');
    const dev = await startDevServer(attemptId);
    const streaming = readSse(`${server.url}/api/v1/attempts/${attemptId}/logs/stream`, { until: (seen) => seen.at(-1)?.event === 'end', timeoutMs: 60_000 });
    // The stream has sent the dev server's first line and no end: stopping it is what ends the log.
    await server.waitFor(async () => (await server.request('GET', `/attempts/${attemptId}/logs?limit=1000`)).body.items.some((e: any) => e.processId === dev.processId));
    assert.equal((await server.request('DELETE', `/attempts/${attemptId}/dev-server`)).status, 200);
    const events = await streaming;
    assert.equal(events.at(-1)?.event, 'end');
    assert.ok(events.some((e) => e.event === 'entry' && e.data.processId === dev.processId && /ready on/.test(e.data.payload.text)), 'the dev server’s output came live');
  });

  it('stops the dev server when its task closes, and then refuses to start one without a worktree (409)', async () => {
    const { server } = setup;
    const { taskId, attemptId } = await finishedAttempt('closed while previewed');
    const dev = await startDevServer(attemptId);
    assert.equal((await server.request('PATCH', `/tasks/${taskId}`, { status: 'done' })).status, 200);
    assert.equal(await listening(dev.port), false, 'its port is closed');
    assert.equal((await server.request('GET', `/attempts/${attemptId}/dev-server`)).body.state, 'stopped');
    const refused = await server.request('POST', `/attempts/${attemptId}/dev-server`);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'FORGE_CONFLICT');
    assert.match(refused.body.error.message, /no worktree/);
  });

  it('stops its dev servers when the server shuts down', async () => {
    const other = await startServerWithProject();
    let pid: number | undefined;
    try {
      const { server, projectId } = other;
      await server.request('PATCH', `/projects/${projectId}`, { devScript: DEV_SCRIPT });
      const task = (await server.request('POST', '/tasks', { projectId, title: 'shut down' })).body;
      const attempt = (await server.request('POST', `/tasks/${task.id}/attempts`, { executor: 'script', options: { command: 'true' } })).body;
      await server.waitForAttempt(attempt.id);
      pid = (await server.request('POST', `/attempts/${attempt.id}/dev-server`)).body.pid;
      const dev = await server.waitFor(async () => {
        const { body } = await server.request('GET', `/attempts/${attempt.id}/dev-server`);
        return body.state === 'running' ? body : undefined;
      });
      const finished: any[] = [];
      server.forge.events.subscribe((event) => event.type === 'process.finished' && finished.push(event.data));
      await server.stop();
      assert.equal(alive(dev.pid), false, 'its process is gone');
      assert.equal(await listening(dev.port), false, 'its port is closed');
      assert.deepEqual(
        finished.filter((p) => p.id === dev.processId).map((p) => [p.status, p.error]),
        [['cancelled', 'The server stopped.']],
        'its process ended before the database closed',
      );
    } finally {
      await other.close();
      killGroup(pid);
    }
  });

  it('answers 404 FORGE_FEATURE_DISABLED when the devServer feature is off', async () => {
    const { attemptId } = await finishedAttempt('feature off');
    const off = await startTestServer({ FORGE_FEATURES: 'devServer=off' });
    try {
      for (const method of ['POST', 'GET', 'DELETE']) {
        const refused = await off.request(method, `/attempts/${attemptId}/dev-server`);
        assert.equal(refused.status, 404, `${method}: ${JSON.stringify(refused.body)}`);
        assert.equal(refused.body.error.code, 'FORGE_FEATURE_DISABLED');
      }
    } finally {
      await off.close();
    }
  });
});

describe('dev server after a crash', function () {
  this.timeout(180_000);
  let dirs: ReturnType<typeof tempDir>;
  let server: ServerProcess | null = null;
  let devPid: number | undefined;

  beforeEach(() => {
    dirs = tempDir('forge-dev-crash-');
  });

  afterEach(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    killGroup(devPid);
    dirs.cleanup();
  });

  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${server!.url}/api/v1${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  async function until<T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> {
    // A backstop far above a slow start on a busy machine; the wait ends when the condition holds.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`${what} did not happen`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('kills the dev server a server killed with SIGKILL left running, and ends its process, at the next start', async () => {
    const home = join(dirs.path, 'home');
    const port = await freePort();
    server = await startServerProcess(home, port);
    const repo = makeRepo(join(dirs.path, 'repo'));
    const project = (await api('POST', '/projects', { name: 'crash', repoPath: repo, devScript: DEV_SCRIPT })).body;
    const task = (await api('POST', '/tasks', { projectId: project.id, title: 'crash' })).body;
    const attempt = (await api('POST', `/tasks/${task.id}/attempts`, { executor: 'script', options: { command: 'true' } })).body;
    await until(async () => ['succeeded', 'failed', 'cancelled'].includes((await api('GET', `/attempts/${attempt.id}`)).body.state), 'the attempt finishing');
    const posted = await api('POST', `/attempts/${attempt.id}/dev-server`);
    assert.equal(posted.status, 202, JSON.stringify(posted.body));
    devPid = posted.body.pid;
    const dev = await until(async () => {
      const { body } = await api('GET', `/attempts/${attempt.id}/dev-server`);
      return body.state === 'running' ? body : undefined;
    }, 'the dev server listening');
    // Its pid is recorded with its start time before the crash, so recovery can tell it from a recycled pid.
    await until(async () => (await api('GET', `/attempts/${attempt.id}/processes`)).body.items.some((p: any) => p.kind === 'dev' && p.pid === dev.pid), 'the pid recorded');

    server.child.kill('SIGKILL');
    await server.exited;
    assert.ok(await listening(dev.port), 'the dev server outlived the killed server (its own process group)');

    server = await startServerProcess(home, port);
    await until(async () => !alive(dev.pid) && !(await listening(dev.port)), 'the dev server being killed');
    const row = await until(async () => {
      const processes = (await api('GET', `/attempts/${attempt.id}/processes`)).body.items;
      const devRow = processes.find((p: any) => p.id === dev.processId);
      return devRow?.status !== 'running' ? devRow : undefined;
    }, 'the dev process row ending');
    assert.equal(row.status, 'failed');
    assert.match(row.error, /server stopped/);
    assert.equal((await api('GET', `/attempts/${attempt.id}/dev-server`)).body.state, 'exited');
  });
});

describe('the port a dev server announces', () => {
  it('reads a local URL, a host and port, or a port in words, and keeps the URL as printed', () => {
    assert.deepEqual(announcedPort('  ➜  Local:   http://127.0.0.1:5173/app'), { port: 5173, url: 'http://127.0.0.1:5173/app', printed: true });
    assert.deepEqual(announcedPort('listening on 0.0.0.0:8080'), { port: 8080, url: 'http://localhost:8080/', printed: false });
    assert.deepEqual(announcedPort('server started, port 4000'), { port: 4000, url: 'http://localhost:4000/', printed: false });
    assert.equal(announcedPort('compiled 12 modules'), null);
    assert.equal(announcedPort('port 99999'), null);
  });
});

