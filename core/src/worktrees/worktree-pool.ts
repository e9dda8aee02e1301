import { randomBytes } from 'node:crypto';
import { mkdir, readdir, realpath, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { git, gitOutput } from '../git/git.ts';
import { pidsUsingPath } from '../runtime/process-table.ts';
import { pathExists } from './path-exists.ts';
import { adminDirOf, hasSubmoduleRepositories, resetAdmin, resetTree, WITHOUT_HOOKS } from './recycle-worktree.ts';
import { removeWorktreeLocked } from './remove-worktree.ts';
import { withRepoLock } from './repo-lock.ts';

/** The folder, inside a project's worktree folder, that holds its pooled worktrees. */
export const POOL_DIR_NAME = '.pool';
const SLOT_NAME = /^slot-[0-9a-f]{12}$/;
const SLOT_PREFIX = 'slot-';
// A slot being made is registered under this name until its checkout is complete, so no take,
// from this process or another, can find it half-written.
const FILLING_PREFIX = 'filling-';

export interface PoolTarget {
  repoPath: string;
  projectId: string;
  /** Where the attempt's worktree goes; nothing may be there. */
  path: string;
  branch: string;
  baseRef: string;
  lockReason: string;
}

/**
 * A few ready worktrees per project, recycled for the next attempts (decision 0042). A slot is a
 * registered, locked worktree at `<root>/<project>/.pool/slot-<id>`, detached (it holds no
 * branch) and clean. Taking one moves it to the attempt's path under the repository lock, so
 * each slot goes to one attempt, and an attempt's worktree is never in the pool: a finished
 * attempt's worktree enters it only once its attempt has let go of it. The attempt then gets
 * what a new worktree would be (recycle-worktree.ts): its admin folder reset to what `worktree
 * add` makes, `checkout -f -B` onto its branch and base (git rewrites only the files that
 * differ), `clean -ffdx` (no untracked or ignored file survives). Whatever fails, the caller
 * makes a new worktree as if there were no pool.
 */
export class WorktreePool {
  /** Slots this process is making now (the reconcile leaves them be). */
  private readonly filling = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly nodeId: string,
    /** How many ready worktrees a project keeps; 0 turns its pool off. */
    private readonly size: number | ((projectId: string) => number | Promise<number>),
  ) {}

  /** How many ready worktrees the project keeps now (0: no pool). */
  async sizeOf(projectId: string): Promise<number> {
    return typeof this.size === 'number' ? this.size : this.size(projectId);
  }

  dirOf(projectId: string): string {
    return join(this.root, projectId, POOL_DIR_NAME);
  }

  /** The ready slots of a project on disk. */
  async slots(projectId: string): Promise<string[]> {
    const names = await readdir(this.dirOf(projectId)).catch(() => [] as string[]);
    return names.filter((name) => SLOT_NAME.test(name)).map((name) => join(this.dirOf(projectId), name));
  }

  /** Whether this process is making the slot at `path` now. */
  isFilling(path: string): boolean {
    return this.filling.has(path);
  }

  /**
   * Serves the attempt from the pool: true once `target.path` is its ready worktree; false when
   * the pool has nothing to give or recycling failed, the caller then making one as usual (what
   * is left at the path is a leftover it already knows how to remove).
   */
  async take(target: PoolTarget): Promise<boolean> {
    try {
      if ((await this.sizeOf(target.projectId)) === 0) return false;
      // A base that does not resolve would fail the checkout after a slot was spent on it.
      const base = await gitOutput(['rev-parse', '--verify', '-q', `${target.baseRef}^{commit}`], { cwd: target.repoPath }).catch(() => null);
      if (!base) return false;
      const moved = await withRepoLock(target.repoPath, async () => {
        if (await pathExists(target.path)) return false;
        for (const slot of await this.slots(target.projectId)) {
          const taken = await git(['worktree', 'move', '-f', '-f', slot, target.path], { cwd: target.repoPath }).then(
            () => true,
            () => false,
          );
          if (taken) return true;
          await removeWorktreeLocked(target.repoPath, slot, null).catch(() => undefined); // broken: the next slot may serve
        }
        return false;
      });
      if (!moved) return false;
      const admin = await adminDirOf(target.repoPath, target.path);
      await resetAdmin(admin, target.path);
      await writeFile(join(admin, 'locked'), `${target.lockReason}\n`);
      await git([...WITHOUT_HOOKS, 'checkout', '-f', '-q', '--no-track', '-B', target.branch, base], { cwd: target.path });
      await git(['clean', '-ffdxq'], { cwd: target.path });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Takes a worktree its attempt no longer uses into the pool, when the pool has room: true once
   * it is there (the path is gone and its branch is free), false when the caller must remove it.
   */
  async give(repoPath: string, projectId: string, path: string): Promise<boolean> {
    if (!(await this.recycle(repoPath, projectId, path))) return false;
    return withRepoLock(repoPath, () => this.admitLocked(repoPath, projectId, path));
  }

  /** What `give` does, for a caller that already holds the repository lock. */
  async giveLocked(repoPath: string, projectId: string, path: string): Promise<boolean> {
    return (await this.recycle(repoPath, projectId, path)) && this.admitLocked(repoPath, projectId, path);
  }

  /** Prepares ready worktrees at `baseRef` until the project has its size; how many it made. */
  async fill(repoPath: string, projectId: string, baseRef: string, shouldGoOn: () => boolean = () => true): Promise<number> {
    let made = 0;
    while (shouldGoOn() && (await this.hasRoom(projectId))) {
      const id = randomBytes(6).toString('hex');
      const filling = join(this.dirOf(projectId), FILLING_PREFIX + id);
      this.filling.add(filling);
      try {
        const added = await withRepoLock(repoPath, async () => {
          if (!(await this.hasRoom(projectId))) return false;
          await mkdir(this.dirOf(projectId), { recursive: true });
          await git(['worktree', 'add', '--no-checkout', '--detach', '--lock', '--reason', this.lockReason(), filling, baseRef], { cwd: repoPath });
          return true;
        });
        if (!added) return made;
        await git(['reset', '--hard', '--quiet'], { cwd: filling });
        const ready = await withRepoLock(repoPath, async () => {
          if (!(await this.hasRoom(projectId))) return false;
          await git(['worktree', 'move', '-f', '-f', filling, join(this.dirOf(projectId), SLOT_PREFIX + id)], { cwd: repoPath });
          return true;
        });
        if (!ready) {
          await withRepoLock(repoPath, () => removeWorktreeLocked(repoPath, filling, null));
          return made;
        }
      } catch (error) {
        await withRepoLock(repoPath, () => removeWorktreeLocked(repoPath, filling, null)).catch(() => undefined);
        throw error;
      } finally {
        this.filling.delete(filling);
      }
      made++;
    }
    return made;
  }

  /** Removes every slot of a project (before the project itself goes, and again after, for a fill that raced it). */
  async drain(repoPath: string, projectId: string): Promise<void> {
    await withRepoLock(repoPath, async () => {
      const names = await readdir(this.dirOf(projectId)).catch(() => [] as string[]);
      for (const name of names) await removeWorktreeLocked(repoPath, join(this.dirOf(projectId), name), null);
      await rmdir(this.dirOf(projectId)).catch(() => undefined);
    });
  }

  private async hasRoom(projectId: string): Promise<boolean> {
    return (await this.slots(projectId)).length < (await this.sizeOf(projectId));
  }

  /**
   * Makes a used worktree ready to wait in the pool: false (the caller removes it) when the pool
   * is full, the path is no worktree of this repository, it has initialised submodules, a
   * process still works in it, or git fails on it. Detached at its last commit, the branch is
   * free to delete, and the next checkout only rewrites what the attempt changed against the next
   * base. The pool's room is checked again after each slow step: other gives may have filled it.
   */
  private async recycle(repoPath: string, projectId: string, path: string): Promise<boolean> {
    try {
      if (!(await this.hasRoom(projectId)) || !(await pathExists(path))) return false;
      const admin = await adminDirOf(repoPath, path);
      if (await hasSubmoduleRepositories(admin)) return false;
      // A process the attempt's sweep could not find (it cleared its environment and left the
      // group) would follow the folder into the pool and write into the next attempt. Removed
      // instead, its writes go nowhere, as without a pool. Where this cannot be known, no pool.
      const users = await pidsUsingPath(await realpath(path));
      if (users === null || users.length > 0) return false;
      await resetAdmin(admin, path);
      await git([...WITHOUT_HOOKS, 'checkout', '-f', '-q', '--detach'], { cwd: path });
      await git(['clean', '-ffdxq'], { cwd: path });
      await resetTree(path);
      return true;
    } catch {
      return false;
    }
  }

  private async admitLocked(repoPath: string, projectId: string, path: string): Promise<boolean> {
    if (!(await this.hasRoom(projectId))) return false;
    const slot = join(this.dirOf(projectId), SLOT_PREFIX + randomBytes(6).toString('hex'));
    await mkdir(this.dirOf(projectId), { recursive: true });
    const moved = await git(['worktree', 'move', '-f', '-f', path, slot], { cwd: repoPath }).then(
      () => true,
      () => false,
    );
    if (!moved) return false;
    try {
      await writeFile(join(await adminDirOf(repoPath, slot), 'locked'), `${this.lockReason()}\n`);
      return true;
    } catch {
      // Not pooled after all; the caller's removal of the path (gone already) drops what is left.
      await removeWorktreeLocked(repoPath, slot, null);
      return false;
    }
  }

  private lockReason(): string {
    return `forge warm pool node ${this.nodeId}`;
  }
}

