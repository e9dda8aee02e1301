import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo } from './support/git-repo.ts';
import { freePort, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { seededRandom } from './support/seeded-random.ts';
import { tempDir } from './support/temp-dir.ts';
import { waitForProgress } from './support/wait-for-progress.ts';

const FINAL = ['succeeded', 'failed', 'cancelled'];

describe('crash recovery', () => {
  let dirs: ReturnType<typeof tempDir>;
  let server: ServerProcess | null = null;

  beforeEach(() => {
    dirs = tempDir('forge-crash-');
  });

  afterEach(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      const timer = setTimeout(() => server!.child.kill('SIGKILL'), 5_000);
      await server.exited;
      clearTimeout(timer);
    }
    dirs.cleanup();
  });

  async function api(method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${server!.url}/api/v1${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }

  /** How far the given attempts have got: states, their processes and how much they logged. */
  async function progressOf(ids: string[]): Promise<string> {
    const seen = await Promise.all(
      ids.map(async (id) => {
        const attempt = await api('GET', `/attempts/${id}`).catch(() => null);
        const processes = await api('GET', `/attempts/${id}/processes`).catch(() => null);
        const logs = await api('GET', `/attempts/${id}/logs?limit=1000`).catch(() => null);
        return [attempt?.state, processes?.items?.map((p: any) => p.status), logs?.items?.length];
      }),
    );
    return JSON.stringify(seen);
  }

  /** Waits until `check` holds, for as long as the attempts keep moving: a busy machine is slow, not stuck. */
  function poll<T>(check: () => Promise<T | false | undefined>, what: string, ids: string[]): Promise<T> {
    return waitForProgress({ what, check, progress: () => progressOf(ids), describe: () => progressOf(ids) });
  }

  it('leaves every attempt in a defined state, no orphan worktree, branch or process, and no task lost after kill -9', async function () {
    this.timeout(600_000);
    const home = join(dirs.path, 'home');
    const release = join(dirs.path, 'release');
    const port = await freePort();
    const env = { FORGE_MAX_CONCURRENT_ATTEMPTS: '12' };
    server = await startServerProcess(home, port, env);

    // Project A: agents that run until killed. Project B: a setup script that blocks until
    // released, so its attempts are still preparing when the server dies.
    const repoA = makeRepo(join(dirs.path, 'a'));
    const repoB = makeRepo(join(dirs.path, 'b'));
    const projectA = await api('POST', '/projects', { name: 'a', repoPath: repoA });
    const projectB = await api('POST', '/projects', {
      name: 'b',
      repoPath: repoB,
      setupScript: `while [ ! -f ${release} ]; do sleep 0.05; done`,
    });
    const tasks: string[] = [];
    const running: string[] = [];
    const preparing: string[] = [];
    for (let i = 0; i < 8; i++) {
      const task = await api('POST', '/tasks', { projectId: projectA.id, title: `agent ${i}` });
      tasks.push(task.id);
      const command = i % 2 ? 'echo partial > partial.txt; sleep 60' : 'sleep 60';
      running.push((await api('POST', `/tasks/${task.id}/attempts`, { executor: 'script', options: { command } })).id);
    }
    for (let i = 0; i < 2; i++) {
      const task = await api('POST', '/tasks', { projectId: projectB.id, title: `setup ${i}` });
      tasks.push(task.id);
      preparing.push((await api('POST', `/tasks/${task.id}/attempts`, { executor: 'script', options: { command: 'echo after restart > done.txt' } })).id);
    }
    const attemptIds = [...running, ...preparing];
    assert.equal(attemptIds.length, 10);
    await poll(async () => {
      const states = await Promise.all(running.map(async (id) => (await api('GET', `/attempts/${id}`)).state));
      const processes = await Promise.all(running.map(async (id) => (await api('GET', `/attempts/${id}/processes`)).items));
      return states.every((s) => s === 'running') && processes.every((p) => p[0]?.pid) && processes;
    }, 'the agents to run', attemptIds);
    await poll(async () => {
      const states = await Promise.all(preparing.map(async (id) => (await api('GET', `/attempts/${id}/processes`)).items.length));
      return states.every((n) => n === 1);
    }, 'the setup scripts to start', attemptIds);
    const agentPids: number[] = [];
    for (const id of running) agentPids.push((await api('GET', `/attempts/${id}/processes`)).items[0].pid);
    await poll(async () => running.every((_, i) => i % 2 === 0 || existsSync(join(home, 'worktrees', projectA.id, running[i]!, 'partial.txt'))), 'partial work', attemptIds);

    server.child.kill('SIGKILL');
    await server.exited;
    assert.ok(agentPids.every(isGroupAlive), 'the agents outlived the killed server, as detached groups do');
    writeFileSync(release, '');

    server = await startServerProcess(home, port, env);
    const final = await poll(async () => {
      const all = await Promise.all(attemptIds.map((id) => api('GET', `/attempts/${id}`)));
      return all.every((a) => FINAL.includes(a.state)) && all;
    }, 'every attempt to reach a final state', attemptIds);

    for (const attempt of final.slice(0, 8)) {
      assert.equal(attempt.state, 'failed');
      assert.equal(attempt.error.code, 'FORGE_ATTEMPT_INTERRUPTED');
    }
    for (const attempt of final.slice(8)) {
      assert.equal(attempt.state, 'succeeded', 'an attempt still preparing is requeued and runs again');
      assert.ok(existsSync(join(attempt.worktreePath, 'done.txt')));
    }
    assert.ok(agentPids.every((pid) => !isGroupAlive(pid)), 'recovery killed the orphaned agents');
    for (const [i, attempt] of final.slice(0, 8).entries()) {
      if (i % 2) assert.equal(git(repoA, 'show', `${attempt.branch}:partial.txt`), 'partial', 'interrupted work is committed');
    }

    const listed = await api('GET', '/tasks?limit=1000');
    assert.deepEqual(listed.items.map((t: any) => t.id).sort(), [...tasks].sort(), 'no task lost');
    assertNoOrphans(home, final, [
      [repoA, projectA.id],
      [repoB, projectB.id],
    ]);
  });

  it('recovers to a clean state from kill -9 at random moments of attempts starting and running', async function () {
    // Time is bounded by progress, not by a deadline: a test that keeps moving is not failed for being slow.
    this.timeout(600_000);
    const random = seededRandom('kill moments');
    const home = join(dirs.path, 'home');
    const port = await freePort();
    server = await startServerProcess(home, port);
    const files = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`src/d${i % 10}/f${i}.txt`, `${i}\n`]));
    const repo = makeRepo(join(dirs.path, 'repo'), files);
    const project = await api('POST', '/projects', { name: 'r', repoPath: repo });
    const tasks: string[] = [];
    const attempts: string[] = [];
    for (let round = 0; round < 4; round++) {
      const task = await api('POST', '/tasks', { projectId: project.id, title: `round ${round}`, description: `write r${round}.txt ${round}` });
      tasks.push(task.id);
      const starts = Array.from({ length: 6 }, (_, i) =>
        api('POST', `/tasks/${task.id}/attempts`, { executor: 'fake-agent', options: { delayMs: 10 * i } }),
      );
      attempts.push(...(await Promise.all(starts)).map((a) => a.id));
      await new Promise((resolve) => setTimeout(resolve, random.below(400)));
      server.child.kill('SIGKILL');
      await server.exited;
      server = await startServerProcess(home, port);
    }
    const final = await poll(async () => {
      const all = await Promise.all(attempts.map((id) => api('GET', `/attempts/${id}`)));
      return all.every((a) => FINAL.includes(a.state)) && all;
    }, `every attempt to reach a final state (seed ${random.seed})`, attempts);
    for (const attempt of final) {
      if (attempt.state === 'failed') assert.equal(attempt.error.code, 'FORGE_ATTEMPT_INTERRUPTED', JSON.stringify(attempt.error));
      else assert.equal(attempt.state, 'succeeded');
    }
    const listed = await api('GET', '/tasks?limit=1000');
    assert.deepEqual(listed.items.map((t: any) => t.id).sort(), [...tasks].sort(), 'no task lost');
    assertNoOrphans(home, final, [[repo, project.id]]);
  });
});

/** Every worktree git knows and every directory on disk belongs to an attempt, and so does every forge/ branch. */
function assertNoOrphans(home: string, attempts: any[], repos: (readonly [repo: string, projectId: string])[]): void {
  const wanted = new Set(attempts.map((a) => a.worktreePath));
  const owned = new Set(attempts.map((a) => a.branch));
  for (const [repo, projectId] of repos) {
    const registered = git(repo, 'worktree', 'list', '--porcelain')
      .split('\n')
      .filter((l) => l.startsWith('worktree '))
      .map((l) => l.slice('worktree '.length))
      .filter((p) => p !== repo);
    assert.ok(registered.every((p) => wanted.has(p)), `no orphan worktree in ${repo}: ${registered}`);
    const root = join(home, 'worktrees', projectId);
    const directories = existsSync(root) ? readdirSync(root).map((d) => join(root, d)) : [];
    assert.deepEqual(directories.sort(), registered.sort(), 'no directory without a worktree');
    const branches = git(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/forge/').split('\n').filter(Boolean);
    assert.ok(branches.every((b) => owned.has(b)), `no orphan branch: ${branches}`);
  }
}

/**
 * Whether any process of the group is still running. Zombies do not count: in a container whose
 * pid 1 does not reap orphans, a killed process lingers as one, though it runs no more.
 */
function isGroupAlive(pgid: number): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readFileSafe(`/proc/${entry}/stat`);
    // Fields after the parenthesised command: state, ppid, pgrp, …
    const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields && Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

function readFileSafe(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
