import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { newId } from '../src/store/ids.ts';
import type { Lifecycles } from '../src/lifecycle/lifecycles.ts';
import type { Stores } from '../src/store/stores.ts';
import { reconcileWorktrees } from '../src/worktrees/reconciler.ts';
import { WorktreeManager } from '../src/worktrees/worktree-manager.ts';
import { git } from './support/git-repo.ts';
import { reconcileFixture, type ReconcileFixture } from './support/reconcile-fixture.ts';
import { forceAttempt } from './support/rows.ts';
import { silentLogger } from './support/test-server.ts';

/**
 * Attempts are created and finish while a reconcile pass runs. The pass reads the attempts
 * first; these tests change them right after that read (a pause injected into the real store
 * call, no sleep), which is exactly when the periodic pass used to take a just-finished or
 * just-created attempt's worktree for an orphan.
 */
describe('worktree reconcile while attempts change', () => {
  let repo: string;
  let manager: WorktreeManager;
  let stores: Stores;
  let lifecycles: Lifecycles;
  let projectId: string;
  let taskId: string;
  const running = new Set<string>();

  let fixture: ReconcileFixture;

  beforeEach(async () => {
    fixture = await reconcileFixture('forge-race-');
    ({ repo, manager, stores, lifecycles, projectId, taskId } = fixture);
    running.clear();
  });

  afterEach(() => fixture.close());

  /** Runs `change` once, right after the pass has read the project's attempts. */
  function afterAttemptsAreRead(change: () => Promise<void>): void {
    const read = stores.attempts.listByProject.bind(stores.attempts);
    let done = false;
    stores.attempts.listByProject = async (id: string) => {
      const listed = await read(id);
      if (!done) {
        done = true;
        await change();
      }
      return listed;
    };
  }

  async function newAttempt() {
    const id = newId();
    const branch = `forge/${id.slice(-8)}`;
    await lifecycles.attempts.create({ id, taskId, executor: { id: 'script', package: 'x', version: '1', contractVersion: '1.0.0' }, options: {}, prompt: 'p', branch, baseBranch: 'main' });
    await forceAttempt(stores.db, id, { state: 'preparing' });
    running.add(id);
    return { id, branch };
  }

  const worktreeOf = (branch: string, attemptId: string) =>
    manager.create({ repoPath: repo, projectId, attemptId, branch, baseRef: 'main', nodeId: 'n' });

  const reconcile = () => reconcileWorktrees({ stores, attempts: lifecycles.attempts, worktrees: manager, branchPrefix: 'forge', logger: silentLogger, isActive: (id) => running.has(id) });

  function assertIntact(path: string, branch: string) {
    assert.ok(existsSync(join(path, 'README.md')), `${path} is still on disk`);
    assert.match(git(repo, 'worktree', 'list', '--porcelain'), new RegExp(`worktree ${path}\n`), 'git still lists it');
    assert.equal(git(repo, 'branch', '--list', branch).replace('+', '').trim(), branch, 'its branch is still there');
  }

  it('keeps the worktree of an attempt that recorded it and finished after the attempts were read', async () => {
    // Read while preparing: the worktree is made but not recorded yet, and the attempt is running here.
    const attempt = await newAttempt();
    const path = await worktreeOf(attempt.branch, attempt.id);
    afterAttemptsAreRead(async () => {
      await forceAttempt(stores.db, attempt.id, { worktreePath: path, state: 'succeeded', finishedAt: new Date().toISOString() });
      running.delete(attempt.id);
    });
    const report = await reconcile();
    assert.deepEqual(report.removedWorktrees, []);
    assertIntact(path, attempt.branch);
    assert.equal((await stores.attempts.get(attempt.id))!.worktreePath, path);
  });

  it('keeps the worktree and branch of an attempt created after the attempts were read', async () => {
    let created: { id: string; branch: string; path: string } | undefined;
    afterAttemptsAreRead(async () => {
      const attempt = await newAttempt();
      created = { ...attempt, path: await worktreeOf(attempt.branch, attempt.id) };
    });
    const report = await reconcile();
    assert.deepEqual(report, { removedWorktrees: [], removedDirectories: [], deletedBranches: [], deletedKeptHeads: [], forgottenWorktrees: [] });
    assertIntact(created!.path, created!.branch);
  });

  it('keeps the worktree and branch of an attempt created, run and finished after the attempts were read', async () => {
    let created: { id: string; branch: string; path: string } | undefined;
    afterAttemptsAreRead(async () => {
      const attempt = await newAttempt();
      const path = await worktreeOf(attempt.branch, attempt.id);
      await forceAttempt(stores.db, attempt.id, { worktreePath: path, state: 'succeeded', finishedAt: new Date().toISOString() });
      running.delete(attempt.id);
      created = { ...attempt, path };
    });
    await reconcile();
    assertIntact(created!.path, created!.branch);
  });

  it('logs at info each thing it removes, and why', async () => {
    const orphan = await newAttempt();
    const path = await worktreeOf(orphan.branch, orphan.id);
    await lifecycles.tasks.delete(taskId);
    running.clear();
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    await reconcileWorktrees({ stores, attempts: lifecycles.attempts, worktrees: manager, branchPrefix: 'forge', logger, isActive: () => false });
    const removals = lines.filter((l) => l.level === 30).map((l) => [l.msg, l.path ?? l.branch, l.reason]);
    assert.deepEqual(removals, [
      ['reconcile removed a worktree', path, 'no attempt owns it'],
      ['reconcile deleted a branch', orphan.branch, 'no attempt has this branch'],
    ]);
  });
});
