import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createHash } from 'node:crypto';
import { PoolFiller } from '../src/worktrees/pool-filler.ts';
import { reconcileWorktrees } from '../src/worktrees/reconciler.ts';
import { WorktreeManager } from '../src/worktrees/worktree-manager.ts';
import { commitFiles, git, makeRepo } from './support/git-repo.ts';
import { reconcileFixture } from './support/reconcile-fixture.ts';
import { silentLogger, startServerWithProject } from './support/test-server.ts';
import { tempDir } from './support/temp-dir.ts';

const files: Record<string, string> = {
  '.gitignore': '*.log\nnode_modules/\n',
  'README.md': '# app\n',
  'run.sh': '#!/bin/sh\necho run\n',
  ...Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`src/m${i % 6}/f${i}.ts`, `export const v${i} = ${i};\n`])),
};

/** Every path under `dir` but git's own, with its type, mode and content hash: two equal snapshots are the same files. */
function snapshot(dir: string): string[] {
  const entries: string[] = [];
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      const rel = relative(dir, path);
      if (rel === '.git') continue;
      const stat = lstatSync(path);
      if (stat.isDirectory()) {
        entries.push(`d ${rel} ${(stat.mode & 0o7777).toString(8)}`);
        walk(path);
      } else {
        entries.push(`f ${rel} ${(stat.mode & 0o777).toString(8)} ${createHash('sha1').update(readFileSync(path)).digest('hex')}`);
      }
    }
  };
  walk(dir);
  return entries;
}

/** The worktree's own git folder. */
function adminOf(path: string): string {
  return readFileSync(join(path, '.git'), 'utf8').replace(/^gitdir: /, '').trim();
}

describe('warm worktree pool', () => {
  let dirs: ReturnType<typeof tempDir>;
  let repo: string;
  let pooled: WorktreeManager;
  let fresh: WorktreeManager;

  beforeEach(() => {
    dirs = tempDir('forge-pool-');
    repo = makeRepo(join(dirs.path, 'repo'), files);
    commitFiles(repo, { 'src/m1/f1.ts': 'export const v1 = "changed on main";\n', 'src/new.ts': 'export {};\n' }, 'second');
    pooled = new WorktreeManager(join(dirs.path, 'worktrees'), { poolSize: 2, nodeId: 'n1' });
    fresh = new WorktreeManager(join(dirs.path, 'fresh'), { nodeId: 'n1' });
  });

  afterEach(() => dirs.cleanup());

  const spec = (attemptId: string, baseRef = 'main') => ({ repoPath: repo, projectId: 'p1', attemptId, branch: `forge/${attemptId}`, baseRef, nodeId: 'n1' });

  /** Leaves in a worktree everything an agent can leave behind. */
  function useHard(path: string): void {
    commitFiles(path, { 'src/agent.ts': 'export const fromTheAgent = 1;\n' }, 'the agent worked');
    writeFileSync(join(path, 'src/m0/f0.ts'), 'edited and never committed\n');
    rmSync(join(path, 'src/m2/f2.ts'));
    chmodSync(join(path, 'README.md'), 0o755);
    chmodSync(join(path, 'run.sh'), 0o600);
    chmodSync(join(path, 'src/m4'), 0o700);
    git(path, 'update-index', '--assume-unchanged', 'src/m5/f5.ts');
    git(path, 'update-index', '--index-version', '4');
    writeFileSync(join(path, 'stray.txt'), 'untracked\n');
    writeFileSync(join(path, 'debug.log'), 'ignored\n');
    mkdirSync(join(path, 'node_modules/pkg'), { recursive: true });
    writeFileSync(join(path, 'node_modules/pkg/index.js'), 'ignored too\n');
    mkdirSync(join(path, 'empty-dir'));
    mkdirSync(join(path, 'vendor/lib'), { recursive: true });
    git(join(path, 'vendor/lib'), 'init', '-q'); // a nested repository
    // Per-worktree state: a hooks path, a sparse checkout, a merge under way, a lock of git's.
    git(repo, 'config', 'extensions.worktreeConfig', 'true');
    git(path, 'config', '--worktree', 'core.hooksPath', join(dirs.path, 'evil-hooks'));
    git(path, 'sparse-checkout', 'set', 'src/m3');
    const admin = adminOf(path);
    writeFileSync(join(admin, 'MERGE_HEAD'), `${git(path, 'rev-parse', 'HEAD')}\n`);
    writeFileSync(join(admin, 'index.lock'), '');
  }

  it('gives the next attempt a recycled worktree indistinguishable from a fresh one', async () => {
    const first = await pooled.create(spec('a1', 'main~1'));
    useHard(first);
    const firstAdmin = adminOf(first);
    assert.equal(await pooled.release({ repoPath: repo, projectId: 'p1', path: first }), 'pooled');
    assert.equal(existsSync(first), false, 'the attempt path is gone once pooled');
    assert.equal((await pooled.pool.slots('p1')).length, 1);
    assert.equal(git(repo, 'rev-parse', 'forge/a1'), git(repo, 'log', '-1', '--format=%H', '--grep', 'the agent worked', '--all'), 'the branch keeps the work');

    const recycled = await pooled.create(spec('a2'));
    assert.equal(adminOf(recycled), firstAdmin, 'the slot was reused, not made anew');
    assert.equal((await pooled.pool.slots('p1')).length, 0);
    const reference = await fresh.create(spec('ref'));

    assert.deepEqual(snapshot(recycled), snapshot(reference), 'the same files, modes and contents');
    assert.equal(git(recycled, 'status', '--porcelain', '--ignored'), '', 'no untracked or ignored file');
    assert.equal(git(recycled, 'ls-files', '-s', '-v'), git(reference, 'ls-files', '-s', '-v'), 'the same index, no skip-worktree bit');
    assert.equal(git(recycled, 'rev-parse', '--abbrev-ref', 'HEAD'), 'forge/a2');
    assert.equal(git(recycled, 'rev-parse', 'HEAD'), git(repo, 'rev-parse', 'main'));
    assert.equal(existsSync(join(adminOf(recycled), 'config.worktree')), false, 'no per-worktree configuration');
    assert.throws(() => git(recycled, 'config', '--get-regexp', '^core\\.(hookspath|sparsecheckout)$'), 'no hooks path, no sparse checkout');
    const admin = readdirSync(adminOf(recycled));
    const freshAdmin = new Set(readdirSync(adminOf(reference)));
    assert.deepEqual(admin.filter((name) => !freshAdmin.has(name)), [], `nothing a fresh worktree lacks: ${admin.join(', ')}`);
    assert.match(git(repo, 'worktree', 'list', '--porcelain'), new RegExp(`worktree ${recycled}\\n[^]*?locked forge attempt a2 node n1`));
    assert.doesNotMatch(git(repo, 'config', '--list'), /^branch\.forge/m, 'no upstream tracking written');
  });

  it('recycles without running the repository’s hooks, as a new worktree is made', async () => {
    const marker = join(dirs.path, 'hook-ran');
    const hooks = join(git(repo, 'rev-parse', '--git-common-dir'), 'hooks');
    mkdirSync(hooks, { recursive: true });
    writeFileSync(join(repo, hooks, 'post-checkout'), `#!/bin/sh\necho ran >> ${marker}\n`, { mode: 0o755 });
    const path = await pooled.create(spec('h1'));
    const before = existsSync(marker) ? readFileSync(marker, 'utf8') : '';
    assert.equal(await pooled.release({ repoPath: repo, projectId: 'p1', path }), 'pooled');
    await pooled.create(spec('h2'));
    assert.equal(existsSync(marker) ? readFileSync(marker, 'utf8') : '', before);
  });

  it('keeps only the skip-worktree-free index: flags set without a sparse checkout go too', async () => {
    const path = await pooled.create(spec('s1'));
    writeFileSync(join(path, 'src/m1/f7.ts'), 'hidden edit\n');
    git(path, 'update-index', '--skip-worktree', 'src/m1/f7.ts');
    assert.equal(await pooled.release({ repoPath: repo, projectId: 'p1', path }), 'pooled');
    const recycled = await pooled.create(spec('s2'));
    assert.equal(readFileSync(join(recycled, 'src/m1/f7.ts'), 'utf8'), 'export const v7 = 7;\n');
    assert.doesNotMatch(git(recycled, 'ls-files', '-v'), /^[^H]/m);
  });

  it('gives back files and folders the modes of a new worktree, which git alone would not', async () => {
    const path = await pooled.create(spec('p1'));
    chmodSync(join(path, 'run.sh'), 0o600);
    chmodSync(join(path, 'src/m4'), 0o700);
    assert.equal(await pooled.release({ repoPath: repo, projectId: 'p1', path }), 'pooled');
    const recycled = await pooled.create(spec('p2'));
    assert.deepEqual(snapshot(recycled), snapshot(await fresh.create(spec('p-ref'))));
  });

  it('removes FIFOs and sockets git never writes, and gives the worktree folder itself its mode back', async () => {
    const path = await pooled.create(spec('q1'));
    execFileSync('mkfifo', [join(path, 'fifo1')]);
    const socket = createServer();
    await new Promise<void>((resolve) => socket.listen(join(path, 'sock'), resolve));
    socket.close();
    chmodSync(path, 0o700);
    assert.equal(await pooled.release({ repoPath: repo, projectId: 'p1', path }), 'pooled');
    const recycled = await pooled.create(spec('q2'));
    const reference = await fresh.create(spec('q-ref'));
    assert.equal(existsSync(join(recycled, 'fifo1')), false);
    assert.equal(lstatSync(recycled).mode & 0o7777, lstatSync(reference).mode & 0o7777);
    assert.deepEqual(snapshot(recycled), snapshot(reference));
  });

  it('removes, not pools, a worktree a process still works in (one that escaped the attempt’s sweep)', async () => {
    const path = await pooled.create(spec('w1'));
    const escaped = spawn('sleep', ['30'], { cwd: path, stdio: 'ignore' });
    try {
      await new Promise((resolve) => escaped.once('spawn', resolve));
      assert.equal(await pooled.release({ repoPath: repo, projectId: 'p1', path }), 'removed');
      assert.equal((await pooled.pool.slots('p1')).length, 0);
    } finally {
      escaped.kill('SIGKILL');
    }
  });

  it('refuses a worktree whose .git file points elsewhere, and touches nothing there', async () => {
    const path = await pooled.create(spec('g1'));
    const other = await pooled.create(spec('g2'));
    const commonDir = join(repo, git(repo, 'rev-parse', '--git-common-dir'));
    const before = readdirSync(commonDir).sort();
    for (const target of [commonDir, adminOf(other)]) {
      writeFileSync(join(path, '.git'), `gitdir: ${target}\n`);
      assert.equal(await pooled.pool.give(repo, 'p1', path), false);
    }
    assert.deepEqual(readdirSync(commonDir).sort(), before, 'the repository’s git folder is untouched');
    assert.equal(git(other, 'status', '--porcelain'), '', 'the other worktree is untouched');
    assert.equal(git(repo, 'log', '-1', '--format=%s'), 'second');
    await pooled.remove({ repoPath: repo, path });
  });

  it('removes, not pools, a worktree with initialised submodules', async () => {
    const lib = makeRepo(join(dirs.path, 'lib'), { 'lib.c': 'int x;\n' });
    git(repo, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', lib, 'vendor/lib');
    git(repo, 'commit', '-qm', 'a submodule');
    const path = await pooled.create(spec('m1'));
    git(path, '-c', 'protocol.file.allow=always', 'submodule', 'update', '-q', '--init');
    assert.equal(existsSync(join(path, 'vendor/lib/lib.c')), true);
    assert.equal(await pooled.release({ repoPath: repo, projectId: 'p1', path }), 'removed');
    assert.equal((await pooled.pool.slots('p1')).length, 0);
  });

  it('spends no slot on a base that does not exist', async () => {
    await pooled.pool.fill(repo, 'p1', 'main');
    await assert.rejects(pooled.create(spec('x1', 'no-such-branch')), /FORGE_WORKTREE_FAILED|no-such-branch/);
    assert.equal((await pooled.pool.slots('p1')).length, 2);
  });

  it('never hands one slot to two attempts, nor an attempt’s worktree to another', async () => {
    assert.equal(await pooled.pool.fill(repo, 'p1', 'main'), 2);
    const slots = new Set((await pooled.pool.slots('p1')).map((slot) => adminOf(slot)));
    const paths = await Promise.all(['b1', 'b2', 'b3', 'b4'].map((id) => pooled.create(spec(id))));
    const admins = paths.map(adminOf);
    assert.equal(new Set(admins).size, 4, 'four different worktrees');
    assert.equal(admins.filter((admin) => slots.has(admin)).length, 2, 'both slots served, each once');
    for (const [i, path] of paths.entries()) {
      assert.equal(git(path, 'rev-parse', '--abbrev-ref', 'HEAD'), `forge/b${i + 1}`);
      assert.equal(git(path, 'status', '--porcelain', '--ignored'), '');
    }
    // The pool is empty now: the next attempt gets a new worktree, never one an attempt holds.
    const next = await pooled.create(spec('b5'));
    assert.equal(admins.includes(adminOf(next)), false);
  });

  it('keeps no more than its size: a worktree released to a full pool is removed', async () => {
    await pooled.pool.fill(repo, 'p1', 'main');
    const path = await pooled.create(spec('c1'));
    await pooled.pool.fill(repo, 'p1', 'main');
    assert.equal(await pooled.release({ repoPath: repo, projectId: 'p1', path, branch: 'forge/c1' }), 'removed');
    assert.equal(existsSync(path), false);
    assert.equal(git(repo, 'branch', '--list', 'forge/c1'), '', 'the branch named is deleted');
    assert.equal((await pooled.pool.slots('p1')).length, 2);
  });

  it('deletes the branch named on release once the worktree is pooled', async () => {
    const path = await pooled.create(spec('d1'));
    assert.equal(await pooled.release({ repoPath: repo, projectId: 'p1', path, branch: 'forge/d1' }), 'pooled');
    assert.equal(git(repo, 'branch', '--list', 'forge/d1'), '');
  });

  it('fills with detached, clean, locked slots, and only while asked to go on', async () => {
    assert.equal(await pooled.pool.fill(repo, 'p1', 'main', () => false), 0);
    assert.equal(await pooled.pool.fill(repo, 'p1', 'main'), 2);
    assert.equal(await pooled.pool.fill(repo, 'p1', 'main'), 0, 'full');
    const listing = git(repo, 'worktree', 'list', '--porcelain');
    for (const slot of await pooled.pool.slots('p1')) {
      assert.equal(git(slot, 'status', '--porcelain', '--ignored'), '');
      assert.match(listing, new RegExp(`worktree ${slot}\\nHEAD [0-9a-f]+\\ndetached\\nlocked forge warm pool node n1`));
    }
    const off = new WorktreeManager(join(dirs.path, 'off'));
    assert.equal(await off.pool.fill(repo, 'p1', 'main'), 0, 'a pool of size 0 makes nothing');
  });

  it('serves a slot without its checkout, or written to while it waited, as a fresh worktree', async () => {
    const slot = join(pooled.pool.dirOf('p1'), 'slot-000000000000');
    mkdirSync(pooled.pool.dirOf('p1'), { recursive: true });
    git(repo, 'worktree', 'add', '-q', '--no-checkout', '--detach', '--lock', slot, 'main~1');
    writeFileSync(join(slot, 'written-while-pooled.log'), 'ignored\n'); // files that came while it waited
    writeFileSync(join(slot, 'README.md'), 'overwritten while pooled\n');
    const path = await pooled.create(spec('e1'));
    assert.equal(adminOf(path).endsWith('slot-000000000000'), true);
    assert.deepEqual(snapshot(path), snapshot(await fresh.create(spec('e-ref'))));
    assert.equal(git(path, 'status', '--porcelain', '--ignored'), '');
  });

  it('makes a new worktree when the slot it takes turns out broken', async () => {
    await pooled.pool.fill(repo, 'p1', 'main');
    for (const slot of await pooled.pool.slots('p1')) writeFileSync(join(slot, '.git'), 'not a gitdir line\n');
    const path = await pooled.create(spec('f1'));
    assert.equal(git(path, 'rev-parse', '--abbrev-ref', 'HEAD'), 'forge/f1');
    assert.equal(git(path, 'status', '--porcelain', '--ignored'), '');
  });
});

describe('warm worktree pool: reconcile', () => {
  it('keeps ready slots and removes what a crash or a smaller pool left', async () => {
    const fixture = await reconcileFixture('forge-pool-reconcile-');
    try {
      const manager = new WorktreeManager(fixture.manager.root, { poolSize: 2, nodeId: 'n1' });
      const deps = { stores: fixture.stores, attempts: fixture.lifecycles.attempts, worktrees: manager, branchPrefix: 'forge', logger: silentLogger, isActive: () => false };
      assert.equal(await manager.pool.fill(fixture.repo, fixture.projectId, 'main'), 2);
      const report = await reconcileWorktrees(deps);
      assert.deepEqual([report.removedWorktrees, report.removedDirectories], [[], []], 'ready slots are not orphans');
      assert.equal((await manager.pool.slots(fixture.projectId)).length, 2);

      const [gone, kept] = await manager.pool.slots(fixture.projectId);
      rmSync(gone!, { recursive: true, force: true }); // its directory deleted by hand
      const stray = join(manager.pool.dirOf(fixture.projectId), 'slot-0123456789ab');
      mkdirSync(stray); // a directory git does not know
      // A fill a crash cut short: registered under its temporary name, never made a slot.
      const halfMade = join(manager.pool.dirOf(fixture.projectId), 'filling-0123456789ab');
      git(fixture.repo, 'worktree', 'add', '-q', '--no-checkout', '--detach', '--lock', halfMade, 'main');
      const second = await reconcileWorktrees(deps);
      assert.deepEqual(second.removedWorktrees.sort(), [gone!, halfMade].sort());
      assert.deepEqual(second.removedDirectories, [stray]);
      assert.doesNotMatch(git(fixture.repo, 'worktree', 'list', '--porcelain'), new RegExp(gone!));
      assert.deepEqual(await manager.pool.slots(fixture.projectId), [kept]);

      const off = new WorktreeManager(fixture.manager.root, { nodeId: 'n1' });
      const third = await reconcileWorktrees({ ...deps, worktrees: off });
      assert.deepEqual(third.removedWorktrees, [kept], 'a pool turned off gives its slots back');
      assert.equal(existsSync(manager.pool.dirOf(fixture.projectId)), false);
      assert.equal(git(fixture.repo, 'worktree', 'list').split('\n').length, 1, 'only the main worktree is left');
    } finally {
      await fixture.close();
    }
  });
});

describe('warm worktree pool: filling in idle time', () => {
  it('fills every project’s pool at its default branch, only while no attempt waits for a worktree', async () => {
    const fixture = await reconcileFixture('forge-pool-filler-');
    try {
      const manager = new WorktreeManager(fixture.manager.root, { poolSize: 2, nodeId: 'n1' });
      let idle = false;
      const filler = new PoolFiller({ pool: manager.pool, stores: fixture.stores, logger: silentLogger, isIdle: () => idle });
      await filler.fill();
      assert.equal((await manager.pool.slots(fixture.projectId)).length, 0, 'nothing while attempts wait');
      idle = true;
      await filler.fill();
      const slots = await manager.pool.slots(fixture.projectId);
      assert.equal(slots.length, 2);
      for (const slot of slots) assert.equal(git(slot, 'rev-parse', 'HEAD'), git(fixture.repo, 'rev-parse', 'main'));
      await filler.stop();
      rmSync(slots[0]!, { recursive: true, force: true });
      await filler.fill();
      assert.equal((await manager.pool.slots(fixture.projectId)).length, 1, 'a stopped filler makes nothing');
    } finally {
      await fixture.close();
    }
  });
});

describe('warm worktree pool: API', () => {
  it('takes a project’s own pool size, 0 to 64 or null, and refuses anything else', async () => {
    const { server, projectId, close } = await startServerWithProject();
    try {
      assert.equal((await server.request('GET', `/projects/${projectId}`)).body.worktreePoolSize, null, 'the server’s size by default');
      const set = await server.request('PATCH', `/projects/${projectId}`, { worktreePoolSize: 3 });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.equal(set.body.worktreePoolSize, 3);
      for (const bad of [-1, 65, 1.5, 'two']) {
        const refused = await server.request('PATCH', `/projects/${projectId}`, { worktreePoolSize: bad });
        assert.equal(refused.status, 400, `${JSON.stringify(bad)}: ${JSON.stringify(refused.body)}`);
        assert.equal(refused.body.error.code, 'FORGE_VALIDATION_FAILED');
        assert.match(refused.body.error.message, /worktreePoolSize/);
      }
      const cleared = await server.request('PATCH', `/projects/${projectId}`, { worktreePoolSize: null });
      assert.equal(cleared.body.worktreePoolSize, null);
    } finally {
      await close();
    }
  });
});

describe('warm worktree pool: server', () => {
  it('recycles a done task’s worktree for the next attempt and gives every slot back when the project is deleted', async () => {
    const env = { FORGE_WORKTREE_POOL_SIZE: '1' };
    const { server, repo, projectId, close } = await startServerWithProject({ env, files });
    try {
      const run = async (title: string) => {
        const task = await server.request('POST', '/tasks', { projectId, title, description: `write out/${title}.md done` });
        const attempt = await server.request('POST', `/tasks/${task.body.id}/attempts`, { executor: 'fake-agent' });
        assert.equal(attempt.status, 202, JSON.stringify(attempt.body));
        return { taskId: task.body.id as string, attempt: await server.waitForAttempt(attempt.body.id) };
      };
      const first = await run('first');
      assert.equal(first.attempt.state, 'succeeded');
      // The housekeeping at start-up may have filled the pool already; closing the task offers its worktree too.
      const closed = await server.request('PATCH', `/tasks/${first.taskId}`, { status: 'done' });
      assert.equal(closed.status, 200, JSON.stringify(closed.body));
      const poolDir = join(server.home, 'worktrees', projectId, '.pool');
      const slots = readdirSync(poolDir);
      assert.equal(slots.length, 1, 'a pool of one');
      const slotAdmin = adminOf(join(poolDir, slots[0]!));

      const second = await run('second');
      assert.equal(second.attempt.state, 'succeeded');
      assert.equal(git(second.attempt.worktreePath, 'rev-parse', '--abbrev-ref', 'HEAD'), second.attempt.branch);
      assert.equal(existsSync(join(second.attempt.worktreePath, 'out/first.md')), false, 'nothing of the first attempt');
      assert.equal(readFileSync(join(second.attempt.worktreePath, 'out/second.md'), 'utf8').trim(), 'done');
      assert.equal(git(repo, 'show', `${first.attempt.branch}:out/first.md`), 'done', 'the first attempt’s work stays on its branch');
      assert.equal(adminOf(second.attempt.worktreePath), slotAdmin, 'the second attempt got the pooled worktree');

      // A project's own size wins over the server's: 0 turns its pool off.
      const other = await server.request('POST', '/projects', { name: 'other', repoPath: makeRepo(join(server.home, 'other-repo'), files), worktreePoolSize: 0 });
      assert.equal(other.status, 201, JSON.stringify(other.body));
      assert.equal(other.body.worktreePoolSize, 0);
      const otherTask = await server.request('POST', '/tasks', { projectId: other.body.id, title: 'other', description: 'write out/other.md done' });
      const otherAttempt = await server.request('POST', `/tasks/${otherTask.body.id}/attempts`, { executor: 'fake-agent' });
      const otherPath = (await server.waitForAttempt(otherAttempt.body.id)).worktreePath;
      await server.request('PATCH', `/tasks/${otherTask.body.id}`, { status: 'done' });
      assert.equal(existsSync(otherPath), false, 'removed, not pooled');
      assert.equal(existsSync(join(server.home, 'worktrees', other.body.id, '.pool')), false);

      const deleted = await server.request('DELETE', `/projects/${projectId}`);
      assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
      assert.equal(git(repo, 'worktree', 'list').split('\n').length, 1, 'no worktree, pooled or not, is left registered');
    } finally {
      await close();
    }
  });
});
