import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ForgeError } from '@forge-core/sdk';
import { git, GitCommandError } from '../git/git.ts';
import { gitCommonDir } from '../git/refs.ts';
import { branchExists, deleteBranch, repositoryPresent } from '../git/repository.ts';
import { pathExists } from './path-exists.ts';
import { removeWorktreeLocked } from './remove-worktree.ts';
import { withRepoLock } from './repo-lock.ts';
import { WorktreePool } from './worktree-pool.ts';

export interface WorktreeSpec {
  repoPath: string;
  projectId: string;
  attemptId: string;
  branch: string;
  /** The commit or branch the new branch starts from. */
  baseRef: string;
  nodeId: string;
}

/**
 * Creates and removes attempt worktrees at `<root>/<project>/<attempt>`. Only git's
 * registration of a worktree happens under the repository lock; the checkout that writes the
 * files runs outside it, so one slow checkout never holds up the others (DESIGN §4: 20
 * concurrent worktrees of a 2,000-file repository, 1.8 s this way against 3.3 s with the whole
 * add under the lock).
 */
export class WorktreeManager {
  /** Ready worktrees recycled for new attempts; empty unless given a size (decision 0042). */
  readonly pool: WorktreePool;
  /** Calls of `create` under way: the pool is filled only while there are none. */
  private creating = 0;
  private poolTaken: (() => void) | null = null;

  constructor(
    readonly root: string,
    options: { poolSize?: number | ((projectId: string) => number | Promise<number>); nodeId?: string } = {},
  ) {
    this.pool = new WorktreePool(root, options.nodeId ?? 'local', options.poolSize ?? 0);
  }

  pathOf(projectId: string, attemptId: string): string {
    return join(this.root, projectId, attemptId);
  }

  /** Whether an attempt waits for its worktree now. */
  get busy(): boolean {
    return this.creating > 0;
  }

  /** Called each time an attempt's worktree came from the pool (so the pool can be filled again). */
  onPoolTaken(listener: () => void): void {
    this.poolTaken = listener;
  }

  async create(spec: WorktreeSpec): Promise<string> {
    this.creating++;
    try {
      return await this.createNow(spec);
    } finally {
      this.creating--;
    }
  }

  private async createNow(spec: WorktreeSpec): Promise<string> {
    const path = this.pathOf(spec.projectId, spec.attemptId);
    const lockReason = `forge attempt ${spec.attemptId} node ${spec.nodeId}`;
    if (await this.pool.take({ ...spec, path, lockReason })) {
      this.poolTaken?.();
      return path;
    }
    await mkdir(join(this.root, spec.projectId), { recursive: true });
    // Only a branch this add makes is deleted should it fail: a follow-up's branch holds the work.
    let madeBranch = false;
    try {
      await withRepoLock(spec.repoPath, async () => {
        // Leftovers of an earlier try at this same attempt would make the add fail: a directory,
        // or git's entry for one deleted by hand (git names its entry after the directory).
        const entry = join(await gitCommonDir(spec.repoPath), 'worktrees', basename(path));
        if ((await this.exists(path)) || (await this.exists(entry))) await removeWorktreeLocked(spec.repoPath, path, null);
        madeBranch = !(await branchExists(spec.repoPath, spec.branch));
        await git(
          [
            'worktree',
            'add',
            '--no-checkout',
            // No upstream: tracking config is written to the shared .git/config, whose lock
            // git does not retry; we push with an explicit refspec anyway.
            '--no-track',
            // Locked from birth so `git worktree prune` never takes it while it is in use.
            '--lock',
            '--reason',
            lockReason,
            // -B, not -b: an add that died half-way may have left the branch behind.
            '-B',
            spec.branch,
            path,
            spec.baseRef,
          ],
          { cwd: spec.repoPath },
        );
      });
      await git(['reset', '--hard', '--quiet'], { cwd: path });
      return path;
    } catch (error) {
      await this.remove({ repoPath: spec.repoPath, path, branch: madeBranch ? spec.branch : null }).catch(() => undefined);
      throw new ForgeError(
        'FORGE_WORKTREE_FAILED',
        `Could not create the worktree for attempt ${spec.attemptId}: ${describe(error)}`,
        { branch: spec.branch, baseRef: spec.baseRef },
        { cause: error },
      );
    }
  }

  /**
   * Removes a worktree, its directory and (unless told to keep it) its branch. Safe to call on
   * anything half-made: a locked entry, an entry whose directory is gone, a bare directory. When
   * the repository itself is gone (deleted or moved), there is no registration or branch left to
   * drop here, so only the directory is removed: deleting a task or project must still work.
   */
  async remove(target: { repoPath: string; path: string; branch?: string | null }): Promise<void> {
    try {
      await withRepoLock(target.repoPath, () => removeWorktreeLocked(target.repoPath, target.path, target.branch ?? null));
    } catch (error) {
      if (repositoryPresent(target.repoPath)) throw error;
      await rm(target.path, { recursive: true, force: true });
    }
  }

  /**
   * Lets go of a worktree its attempt no longer uses: into the project's pool when it has room,
   * removed otherwise. The branch is deleted when named, as `remove` does.
   */
  async release(target: { repoPath: string; projectId: string; path: string; branch?: string | null }): Promise<'pooled' | 'removed'> {
    // A pool that fails to take it is no reason to keep it: it is removed as without a pool.
    const pooled = repositoryPresent(target.repoPath) && (await this.pool.give(target.repoPath, target.projectId, target.path).catch(() => false));
    if (pooled) {
      if (target.branch) {
        const branch = target.branch;
        await withRepoLock(target.repoPath, async () => {
          if (await branchExists(target.repoPath, branch)) await deleteBranch(target.repoPath, branch);
        });
      }
      return 'pooled';
    }
    await this.remove(target);
    return 'removed';
  }

  /** What `release` does (keeping the branch), for a caller that already holds the repository lock. */
  async releaseLocked(repoPath: string, projectId: string, path: string): Promise<'pooled' | 'removed'> {
    if (await this.pool.giveLocked(repoPath, projectId, path).catch(() => false)) return 'pooled';
    await removeWorktreeLocked(repoPath, path, null);
    return 'removed';
  }

  /** Drops git's stale registrations (a directory deleted by hand) of the repository. */
  async prune(repoPath: string): Promise<void> {
    await withRepoLock(repoPath, () => git(['worktree', 'prune'], { cwd: repoPath }).then(() => undefined));
  }

  exists(path: string): Promise<boolean> {
    return pathExists(path, 'directory');
  }
}

function describe(error: unknown): string {
  if (error instanceof GitCommandError) return error.stderr.trim() || error.message;
  return error instanceof Error ? error.message : String(error);
}
