import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './support/workspace-root.ts';
import { killOrphanGroup } from '../src/runtime/orphan-process.ts';
import { processStartTime } from '../src/runtime/process-table.ts';
import {
  describeProcesses,
  killProcessesOf,
  processesInGroup,
  processesOfAttempt,
  waitUntilNoProcessOf,
} from './support/attempt-processes.ts';
import { git, makeRepo } from './support/git-repo.ts';
import { freePort, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

/** Polls `check` until it holds; the bound is a backstop far above what the wait needs. */
async function until<T>(check: () => T | false | undefined | Promise<T | false | undefined>, what: string, boundMs = 120_000): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('processes of an attempt', () => {
  // Every attempt a test starts, so whatever it leaves running is killed by pid afterwards.
  const started = new Set<string>();
  let dirs: ReturnType<typeof tempDir>;

  beforeEach(() => {
    dirs = tempDir('forge-attempt-processes-');
  });

  afterEach(() => {
    killProcessesOf(started);
    started.clear();
    dirs.cleanup();
  });

  describe('with the server running', () => {
    let server: TestServer;
    let repos: ReturnType<typeof tempDir>;
    let repo: string;
    let projectId: string;

    before(async () => {
      server = await startTestServer();
      repos = tempDir('forge-repos-');
      repo = makeRepo(join(repos.path, 'app'));
      const { body } = await server.request('POST', '/projects', { name: 'app', repoPath: repo });
      projectId = body.id;
    });

    after(async () => {
      await server.close();
      repos.cleanup();
    });

    async function startScript(title: string, command: string, project = projectId): Promise<string> {
      const task = await server.request('POST', '/tasks', { projectId: project, title });
      const { status, body } = await server.request('POST', `/tasks/${task.body.id}/attempts`, { executor: 'script', options: { command } });
      assert.equal(status, 202, JSON.stringify(body));
      started.add(body.id);
      return body.id;
    }

    it('an agent that leaves a job running with nohup ends succeeded, and the job is killed with it', async function () {
      this.timeout(300_000);
      const running = join(dirs.path, 'running');
      // The agent waits until its background job runs, so the job surely outlived the agent.
      const id = await startScript(
        'nohup',
        `nohup sh -c 'touch ${running}; exec sleep 300' >/dev/null 2>&1 & while [ ! -f ${running} ]; do sleep 0.05; done; echo done`,
      );
      const done = await server.waitForAttempt(id, 120_000);
      assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
      await waitUntilNoProcessOf(id);
    });

    it('a process that left the process group and the session with setsid is killed when the attempt ends', async function () {
      this.timeout(300_000);
      const running = join(dirs.path, 'running');
      const id = await startScript(
        'setsid',
        `setsid sh -c 'cd /; touch ${running}; exec sleep 300' >/dev/null 2>&1 </dev/null & while [ ! -f ${running} ]; do sleep 0.05; done; echo done`,
      );
      const done = await server.waitForAttempt(id, 120_000);
      assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
      await waitUntilNoProcessOf(id);
    });

    async function stdoutOf(attemptId: string): Promise<string[]> {
      const { body } = await server.request('GET', `/attempts/${attemptId}/logs?limit=1000`);
      return body.items.filter((e: any) => e.kind === 'log' && e.payload.stream === 'stdout').map((e: any) => e.payload.text);
    }

    it('an agent whose setsid child holds its output pipes ends with its own outcome, and the child is killed', async function () {
      this.timeout(300_000);
      const running = join(dirs.path, 'running');
      // The escaped sleep keeps the agent's stdout and stderr open; the agent exits only once
      // it runs, so it surely holds them when the agent is gone.
      const id = await startScript(
        'setsid holds the pipes',
        `echo work > w.txt; setsid sh -c 'touch ${running}; exec sleep 300' & while [ ! -f ${running} ]; do sleep 0.05; done; echo done`,
      );
      // Far below the sleep's 300 s: the attempt does not wait for what holds its pipes.
      const done = await server.waitForAttempt(id, 120_000);
      assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
      assert.equal(git(repo, 'show', `${done.branch}:w.txt`), 'work', 'the work is committed');
      assert.deepEqual(await stdoutOf(id), ['done'], 'the log is complete');
      await waitUntilNoProcessOf(id);
    });

    it('a setup script whose setsid child holds its output pipes does not hold the attempt', async function () {
      this.timeout(300_000);
      const running = join(dirs.path, 'running');
      const project = await server.request('POST', '/projects', {
        name: 'setup-escapes',
        repoPath: makeRepo(join(repos.path, 'setup-escapes')),
        setupScript: `setsid sh -c 'touch ${running}; exec sleep 300' & while [ ! -f ${running} ]; do sleep 0.05; done; echo set up`,
      });
      assert.equal(project.status, 201, JSON.stringify(project.body));
      const id = await startScript('setup escapes', 'echo work > w.txt; echo done', project.body.id);
      const done = await server.waitForAttempt(id, 120_000);
      assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
      assert.deepEqual(await stdoutOf(id), ['set up', 'done']);
      await waitUntilNoProcessOf(id);
    });

    it("an agent's background job that writes after the agent exited, within the drain period, has all its lines logged", async function () {
      this.timeout(300_000);
      // The job writes only once the agent's shell is gone.
      const id = await startScript('late writer', `(while kill -0 $$ 2>/dev/null; do sleep 0.05; done; seq 1 3; echo late) & echo early`);
      const done = await server.waitForAttempt(id, 120_000);
      assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
      assert.deepEqual(await stdoutOf(id), ['early', '1', '2', '3', 'late']);
      await waitUntilNoProcessOf(id);
    });

    it('stopping an attempt kills everything it started, also what left its process group', async function () {
      this.timeout(300_000);
      const running = join(dirs.path, 'running');
      const id = await startScript('stop', `setsid sh -c 'touch ${running}; exec sleep 300' >/dev/null 2>&1 </dev/null & sleep 300`);
      // The shell, its sleep and the escaped sleep.
      await server.waitFor(async () => existsSync(running) && processesOfAttempt(id).length === 3, 120_000);
      const { status, body } = await server.request('POST', `/attempts/${id}/stop`);
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.state, 'cancelled');
      await waitUntilNoProcessOf(id);
    });
  });

  describe('after the server is killed with SIGKILL', () => {
    let server: ServerProcess | null = null;

    afterEach(async () => {
      if (server && server.child.exitCode === null) {
        server.child.kill('SIGTERM');
        await server.exited;
      }
      server = null;
    });

    async function api(method: string, path: string, body?: unknown): Promise<any> {
      const response = await fetch(`${server!.url}/api/v1${path}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      return response.json();
    }

    it('the next start kills an agent that changed directory, and a process that left its group', async function () {
      this.timeout(600_000);
      const home = join(dirs.path, 'home');
      const port = await freePort();
      server = await startServerProcess(home, port);
      const project = await api('POST', '/projects', { name: 'orphans', repoPath: makeRepo(join(dirs.path, 'repo')) });
      const escaped = join(dirs.path, 'escaped');
      const commands = ['cd /tmp; sleep 300', `setsid sh -c 'cd /; touch ${escaped}; exec sleep 300' >/dev/null 2>&1 </dev/null & sleep 300`];
      const ids: string[] = [];
      for (const command of commands) {
        const task = await api('POST', '/tasks', { projectId: project.id, title: command });
        const attempt = await api('POST', `/tasks/${task.id}/attempts`, { executor: 'script', options: { command } });
        started.add(attempt.id);
        ids.push(attempt.id);
      }
      const [wandered, escaper] = ids as [string, string];
      const inTmp = (pid: number) => readlinkSync(`/proc/${pid}/cwd`) === '/tmp';
      await until(
        () => processesOfAttempt(wandered).filter(inTmp).length === 2 && existsSync(escaped) && processesOfAttempt(escaper).length === 3,
        'the shell and its sleep to run in /tmp, and the other agent to have a process outside its group',
      ).catch(async (error: Error) => {
        const seen = await Promise.all(ids.map(async (id) => `${id} ${(await api('GET', `/attempts/${id}`).catch(() => null))?.state}: ${describeProcesses(processesOfAttempt(id))}`));
        throw new Error(`${error.message}; saw ${seen.join(' | ')}; the server said: ${server!.output().slice(-2_000)}`);
      });
      const before = ids.map(processesOfAttempt);

      server.child.kill('SIGKILL');
      await server.exited;
      for (const [i, id] of ids.entries()) assert.deepEqual(processesOfAttempt(id), before[i], 'the processes outlived the server');

      server = await startServerProcess(home, port);
      for (const id of ids) {
        const final = await until(async () => {
          const attempt = await api('GET', `/attempts/${id}`);
          return attempt.state !== 'running' && attempt;
        }, 'the stranded attempt to be settled');
        assert.equal(final.state, 'failed');
        assert.equal(final.error.code, 'FORGE_ATTEMPT_INTERRUPTED');
        await waitUntilNoProcessOf(id);
      }
    });
  });

  describe('the kill primitives', () => {
    it('kills a process group after a crash only while its leader has the start time recorded for it', async () => {
      const leader = spawn('/bin/sh', ['-c', 'sleep 300 & sleep 300'], { detached: true, stdio: 'ignore' });
      const pgid = leader.pid!;
      try {
        await until(() => processesInGroup(pgid).length === 3, 'the shell and both sleeps');
        const startTime = await processStartTime(pgid);
        assert.ok(startTime);
        assert.equal(await killOrphanGroup(pgid, `${startTime}1`), false, 'another start time: a recycled pid, left alone');
        assert.equal(processesInGroup(pgid).length, 3);
        assert.equal(await killOrphanGroup(pgid, startTime), true);
        await until(() => processesInGroup(pgid).length === 0, 'the whole group to be gone');
      } finally {
        if (processesInGroup(pgid).length > 0) process.kill(-pgid, 'SIGKILL');
      }
    });

    it('kills every process with the marker but spares the caller and its ancestors', async function () {
      this.timeout(300_000);
      const attemptId = `test-${randomUUID()}`;
      started.add(attemptId);
      // A shell with the marker starts a sleep, then a node process that sweeps its own marker.
      const sweep = `import { killAttemptProcesses } from ${JSON.stringify(join(WORKSPACE_ROOT, 'core/src/runtime/attempt-processes.ts'))};
        console.log('killed', await killAttemptProcesses([${JSON.stringify(attemptId)}]));`;
      const shell = spawn('/bin/sh', ['-c', 'sleep 300 >/dev/null & "$0" --import tsx --input-type=module -e "$1"; echo "exit $?"', process.execPath, sweep], {
        cwd: WORKSPACE_ROOT,
        env: { ...process.env, FORGE_ATTEMPT_ID: attemptId },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      shell.stdout!.on('data', (chunk) => (output += chunk));
      await new Promise((resolve) => shell.once('close', resolve));
      assert.equal(output, 'killed 1\nexit 0\n', 'the sleep was killed; the sweeping process and its shell lived on');
      assert.deepEqual(processesOfAttempt(attemptId), [], describeProcesses(processesOfAttempt(attemptId)));
    });
  });
});
