import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lifecycles } from '../src/lifecycle/lifecycles.ts';
import type { Stores } from '../src/store/stores.ts';
import { newId } from '../src/store/ids.ts';
import { reconcileWorktrees } from '../src/worktrees/reconciler.ts';
import { withRepoLock } from '../src/worktrees/repo-lock.ts';
import { withFileLock } from '../src/locks/file-lock.ts';
import { ForgeError } from '@forge-core/sdk';
import { spawn } from 'node:child_process';
import { WorktreeManager } from '../src/worktrees/worktree-manager.ts';
import { branchExistsInFiles } from '../src/git/refs.ts';
import { git, makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { reconcileFixture, type ReconcileFixture } from './support/reconcile-fixture.ts';
import { forceAttempt } from './support/rows.ts';
import { silentLogger } from './support/test-server.ts';

const files = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`src/m${i % 10}/f${i}.ts`, `export const v${i} = ${i};\n`]));

describe('worktree manager', () => {
  let dirs: ReturnType<typeof tempDir>;
  let repo: string;
  let manager: WorktreeManager;

  beforeEach(() => {
    dirs = tempDir('forge-wt-');
    repo = makeRepo(join(dirs.path, 'repo'), files);
    manager = new WorktreeManager(join(dirs.path, 'worktrees'));
  });

  afterEach(() => dirs.cleanup());

  const spec = (attemptId: string) => ({ repoPath: repo, projectId: 'p1', attemptId, branch: `forge/${attemptId}`, baseRef: 'main', nodeId: 'n1' });

  it('creates a locked worktree on a fresh branch with every file checked out', async () => {
    const path = await manager.create(spec('a1'));
    assert.equal(path, join(dirs.path, 'worktrees', 'p1', 'a1'));
    assert.equal(readFileSync(join(path, 'src/m3/f13.ts'), 'utf8'), 'export const v13 = 13;\n');
    assert.equal(git(path, 'status', '--porcelain'), '', 'index and files agree');
    assert.equal(git(path, 'rev-parse', '--abbrev-ref', 'HEAD'), 'forge/a1');
    assert.doesNotMatch(git(repo, 'config', '--list'), /^branch\.forge/m, 'no upstream tracking written');
    const listing = git(repo, 'worktree', 'list', '--porcelain');
    assert.match(listing, /locked forge attempt a1 node n1/);
  });

  it('creates 20 worktrees of one repository at once without a failure', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `c${i}`);
    const paths = await Promise.all(ids.map((id) => manager.create(spec(id))));
    for (const path of paths) assert.equal(git(path, 'status', '--porcelain'), '');
    assert.equal(git(repo, 'worktree', 'list').split('\n').length, 21);
    assert.equal(existsSync(join(git(repo, 'rev-parse', '--git-common-dir'), 'forge-worktrees.lock')), false, 'the lock file is released');
  });

  it('removes a worktree, its directory and its branch, even when locked or already deleted by hand', async () => {
    const kept = await manager.create(spec('r1'));
    const gone = await manager.create(spec('r2'));
    rmSync(gone, { recursive: true, force: true });
    await manager.remove({ repoPath: repo, path: kept, branch: 'forge/r1' });
    await manager.remove({ repoPath: repo, path: gone, branch: 'forge/r2' });
    assert.equal(existsSync(kept), false);
    assert.equal(git(repo, 'worktree', 'list').split('\n').length, 1);
    assert.equal(git(repo, 'branch', '--list', 'forge/*'), '');
  });

  it('gives up on a lock a live process holds with FORGE_LOCK_TIMEOUT, naming the file and its owner', async () => {
    const lockFile = join(repo, '.git', 'forge-test.lock');
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      writeFileSync(lockFile, String(holder.pid));
      let ran = false;
      await assert.rejects(
        withFileLock(lockFile, async () => void (ran = true), { what: 'test', waitLimitMs: 50 }),
        (error: unknown) =>
          error instanceof ForgeError &&
          error.code === 'FORGE_LOCK_TIMEOUT' &&
          error.message.includes(lockFile) &&
          error.details?.['ownerPid'] === holder.pid,
      );
      assert.equal(ran, false);
      assert.equal(readFileSync(lockFile, 'utf8'), String(holder.pid), "the holder's lock is left alone");
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over a lock file left by a process that died', async () => {
    const lockFile = join(repo, '.git', 'forge-worktrees.lock');
    writeFileSync(lockFile, '999999');
    await manager.create(spec('s1'));
    assert.equal(existsSync(lockFile), false);
    writeFileSync(lockFile, '');
    await manager.create(spec('s2'));
    assert.equal(existsSync(lockFile), false, 'a lock without an owner is taken over too');
  });

  it('never lets two holders in at once, whichever manager or path to the repository they use', async () => {
    const alias = join(dirs.path, 'alias');
    symlinkSync(repo, alias);
    let inside = 0;
    let most = 0;
    const hold = () => async () => {
      most = Math.max(most, ++inside);
      await new Promise((resolve) => setImmediate(resolve));
      inside--;
    };
    await Promise.all(Array.from({ length: 10 }, (_, i) => withRepoLock(i % 2 ? alias : repo, hold())));
    assert.equal(most, 1);
  });

  it('starts over cleanly where an earlier try of the same attempt left a directory behind', async () => {
    mkdirSync(join(dirs.path, 'worktrees', 'p1', 'x1'), { recursive: true });
    writeFileSync(join(dirs.path, 'worktrees', 'p1', 'x1', 'junk'), 'junk');
    const path = await manager.create(spec('x1'));
    assert.equal(existsSync(join(path, 'junk')), false);
    assert.equal(git(path, 'status', '--porcelain'), '');
  });

  it('fails with a clear error and leaves nothing behind when the base does not exist', async () => {
    await assert.rejects(manager.create({ ...spec('f1'), baseRef: 'no-such-branch' }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'FORGE_WORKTREE_FAILED');
      assert.match(error.message, /no-such-branch/);
      return true;
    });
    assert.equal(existsSync(join(dirs.path, 'worktrees', 'p1', 'f1')), false);
    assert.equal(git(repo, 'branch', '--list', 'forge/f1'), '');
  });

  it("makes the worktree again where its directory was deleted by hand but git still lists it", async () => {
    const path = await manager.create(spec('h1'));
    writeFileSync(join(path, 'work.txt'), 'work\n');
    git(path, 'add', '-A');
    git(path, 'commit', '-q', '-m', 'work');
    rmSync(path, { recursive: true, force: true });
    await manager.create({ ...spec('h1'), baseRef: git(repo, 'rev-parse', 'forge/h1') });
    assert.equal(readFileSync(join(path, 'work.txt'), 'utf8'), 'work\n');
    assert.equal(git(repo, 'worktree', 'list').split('\n').length, 2);
  });

  it('leaves a branch that was there before alone when the add fails', async () => {
    git(repo, 'branch', 'forge/k1');
    const before = git(repo, 'rev-parse', 'forge/k1');
    await assert.rejects(manager.create({ ...spec('k1'), baseRef: 'no-such-commit' }), /FORGE_WORKTREE_FAILED|no-such-commit/);
    assert.equal(git(repo, 'rev-parse', 'forge/k1'), before, "a follow-up's branch holds the attempt's work");
  });
});

describe('worktree reconcile', () => {
  let dirs: ReturnType<typeof tempDir>;
  let repo: string;
  let manager: WorktreeManager;
  let stores: Stores;
  let lifecycles: Lifecycles;
  let projectId: string;
  let taskId: string;

  let fixture: ReconcileFixture;

  beforeEach(async () => {
    fixture = await reconcileFixture('forge-rec-');
    ({ dirs, repo, manager, stores, lifecycles, projectId, taskId } = fixture);
  });

  afterEach(() => fixture.close());

  async function attemptWithWorktree(state: 'succeeded' | 'queued' = 'succeeded') {
    const id = newId();
    const attempt = await lifecycles.attempts.create({
      id,
      taskId,
      executor: { id: 'script', package: 'x', version: '1', contractVersion: '1.0.0' },
      options: {},
      prompt: 'p',
      branch: `forge/${id.slice(-8)}`,
      baseBranch: 'main',
    });
    const path = await manager.create({ repoPath: repo, projectId, attemptId: id, branch: attempt.branch, baseRef: 'main', nodeId: 'n' });
    await forceAttempt(stores.db, id, { state, worktreePath: path });
    return { ...attempt, worktreePath: path };
  }

  const reconcile = (active: string[] = []) =>
    reconcileWorktrees({ stores, attempts: lifecycles.attempts, worktrees: manager, branchPrefix: 'forge', logger: silentLogger, isActive: (id) => active.includes(id) });

  it('keeps the worktrees and branches of existing attempts', async () => {
    const attempt = await attemptWithWorktree();
    const report = await reconcile();
    assert.deepEqual(report, { removedWorktrees: [], removedDirectories: [], deletedBranches: [], deletedKeptHeads: [], forgottenWorktrees: [] });
    assert.ok(existsSync(attempt.worktreePath));
  });

  it('forgets the worktree a finished attempt records once it is gone from disk, keeping its branch', async () => {
    const attempt = await attemptWithWorktree();
    git(repo, 'worktree', 'remove', '--force', '--force', attempt.worktreePath); // twice: the worktree is locked
    const live = await attemptWithWorktree('queued');
    rmSync(live.worktreePath, { recursive: true, force: true });
    const report = await reconcile();
    assert.deepEqual(report.forgottenWorktrees, [attempt.worktreePath], 'only the finished one: a live attempt makes its own again');
    assert.equal((await stores.attempts.get(attempt.id))!.worktreePath, null);
    assert.equal((await stores.attempts.get(live.id))!.worktreePath, live.worktreePath);
    assert.equal(git(repo, 'branch', '--list', attempt.branch).replace('+', '').trim(), attempt.branch);
  });

  it('removes a worktree and branch whose attempt no longer exists', async () => {
    const orphanId = newId();
    const orphan = await manager.create({ repoPath: repo, projectId, attemptId: orphanId, branch: 'forge/orphan', baseRef: 'main', nodeId: 'n' });
    const report = await reconcile();
    assert.deepEqual(report.removedWorktrees, [orphan]);
    assert.equal(existsSync(orphan), false);
    assert.equal(git(repo, 'branch', '--list', 'forge/orphan'), '');
  });

  it('removes a directory git does not know, and prunes an entry whose directory is gone', async () => {
    const stray = join(dirs.path, 'worktrees', projectId, newId());
    mkdirSync(stray, { recursive: true });
    const attempt = await attemptWithWorktree();
    rmSync(attempt.worktreePath, { recursive: true, force: true });
    const report = await reconcile();
    assert.deepEqual(report.removedDirectories, [stray]);
    assert.deepEqual(report.removedWorktrees, [attempt.worktreePath]);
    assert.equal(git(repo, 'worktree', 'list').split('\n').length, 1, 'the missing worktree is no longer registered');
    assert.notEqual(git(repo, 'branch', '--list', attempt.branch), '', "the attempt's branch and its work stay");
    assert.equal((await stores.attempts.get(attempt.id))!.worktreePath, null);
  });

  it('deletes a forge branch that no attempt owns but leaves other branches alone', async () => {
    git(repo, 'branch', 'forge/left-behind');
    git(repo, 'branch', 'feature/mine');
    const report = await reconcile();
    assert.deepEqual(report.deletedBranches, ['forge/left-behind']);
    assert.equal(git(repo, 'branch', '--list', 'feature/mine').trim(), 'feature/mine');
  });

  it("drops kept commits of attempts that are gone under its own prefix only, never another server's", async () => {
    const gone = newId();
    const elsewhere = newId();
    git(repo, 'update-ref', `refs/forge/attempts/${gone}`, 'main');
    // Another server on the same repository with FORGE_BRANCH_PREFIX=team: its branches and kept commits are its own.
    git(repo, 'update-ref', `refs/team/attempts/${elsewhere}`, 'main');
    git(repo, 'branch', 'team/abc-its-work');
    const report = await reconcile();
    assert.deepEqual(report.deletedKeptHeads, [gone]);
    assert.deepEqual(report.deletedBranches, []);
    assert.equal(git(repo, 'for-each-ref', '--format=%(refname)', 'refs/forge/attempts/'), '');
    assert.equal(git(repo, 'for-each-ref', '--format=%(refname)', 'refs/team/'), `refs/team/attempts/${elsewhere}`);
    assert.equal(git(repo, 'branch', '--list', 'team/abc-its-work').trim(), 'team/abc-its-work');
  });

  it('removes directories of projects that no longer exist', async () => {
    const gone = join(dirs.path, 'worktrees', newId());
    mkdirSync(join(gone, newId()), { recursive: true });
    const report = await reconcile();
    assert.deepEqual(report.removedDirectories, [gone]);
  });

  it('never touches the worktree of an attempt being set up right now', async () => {
    const id = newId();
    const half = join(dirs.path, 'worktrees', projectId, id);
    mkdirSync(half, { recursive: true });
    const report = await reconcile([id]);
    assert.deepEqual(report.removedDirectories, []);
    assert.ok(existsSync(half));
  });
});

describe('branch lookup from ref files', () => {
  let dirs: ReturnType<typeof tempDir>;
  beforeEach(() => (dirs = tempDir('forge-refs-')));
  afterEach(() => dirs.cleanup());

  it('agrees with git for loose, packed, nested and missing branches, from a linked worktree too', async () => {
    const repo = makeRepo(join(dirs.path, 'repo'));
    git(repo, 'branch', 'feature/nested/deep');
    git(repo, 'branch', 'packed-one');
    git(repo, 'pack-refs', '--all');
    git(repo, 'branch', 'loose-one');
    const linked = join(dirs.path, 'linked');
    git(repo, 'worktree', 'add', '-q', linked, '-b', 'in-worktree');
    for (const cwd of [repo, linked]) {
      for (const [branch, expected] of [
        ['main', true],
        ['packed-one', true],
        ['loose-one', true],
        ['feature/nested/deep', true],
        ['in-worktree', true],
        ['feature', false],
        ['nope', false],
        ['packed', false],
      ] as const) {
        assert.equal(await branchExistsInFiles(cwd, branch), expected, `${branch} from ${cwd}`);
      }
      assert.equal(await branchExistsInFiles(cwd, '../HEAD'), null, 'odd names are left to git');
    }
  });
});
