import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo } from './support/git-repo.ts';
import { freePort, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { tempDir } from './support/temp-dir.ts';

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
      await server.exited;
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

  async function poll<T>(check: () => Promise<T | false | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('leaves every attempt in a defined state, no orphan worktree, branch or process, and no task lost after kill -9', async () => {
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
    }, 'the agents to run');
    await poll(async () => {
      const states = await Promise.all(preparing.map(async (id) => (await api('GET', `/attempts/${id}/processes`)).items.length));
      return states.every((n) => n === 1);
    }, 'the setup scripts to start');
    const agentPids: number[] = [];
    for (const id of running) agentPids.push((await api('GET', `/attempts/${id}/processes`)).items[0].pid);
    await poll(async () => running.every((_, i) => i % 2 === 0 || existsSync(join(home, 'worktrees', projectA.id, running[i]!, 'partial.txt'))), 'partial work');

    server.child.kill('SIGKILL');
    await server.exited;
    assert.ok(agentPids.every(isGroupAlive), 'the agents outlived the killed server, as detached groups do');
    writeFileSync(release, '');

    server = await startServerProcess(home, port, env);
    const final = await poll(async () => {
      const all = await Promise.all(attemptIds.map((id) => api('GET', `/attempts/${id}`)));
      return all.every((a) => FINAL.includes(a.state)) && all;
    }, 'every attempt to reach a final state');

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
    const wanted = new Set(final.map((a: any) => a.worktreePath));
    for (const [repo, project] of [
      [repoA, projectA],
      [repoB, projectB],
    ] as const) {
      const registered = git(repo, 'worktree', 'list', '--porcelain')
        .split('\n')
        .filter((l) => l.startsWith('worktree '))
        .map((l) => l.slice('worktree '.length))
        .filter((p) => p !== repo);
      assert.ok(registered.every((p) => wanted.has(p)), `no orphan worktree in ${repo}: ${registered}`);
      const directories = readdirSync(join(home, 'worktrees', project.id)).map((d) => join(home, 'worktrees', project.id, d));
      assert.deepEqual(directories.sort(), registered.sort(), 'no directory without a worktree');
      const branches = git(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/forge/').split('\n').filter(Boolean);
      const owned = new Set(final.map((a: any) => a.branch));
      assert.ok(branches.every((b) => owned.has(b)), `no orphan branch: ${branches}`);
    }
  });
});

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
