import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gitCommonDir } from '../git/refs.ts';
import { withFileLock } from '../locks/file-lock.ts';

const WAIT_LIMIT_MS = 120_000;

/**
 * Runs `work` holding the repository's worktree lock. Concurrent `git worktree add` calls race
 * inside git itself (a sibling's half-written `commondir`, the shared config.lock;
 * research/git-worktrees-providers-scaleout.md §2.1), so every add and remove on one repository
 * takes it, from this process and from any other Forge process on the same repository. The
 * lock file lives in the repository's common git directory, so two paths to one repository
 * share it.
 */
export async function withRepoLock<T>(repoPath: string, work: () => Promise<T>): Promise<T> {
  return withFileLock(join(await gitCommonDir(repoPath), 'forge-worktrees.lock'), work, { what: 'worktree', waitLimitMs: WAIT_LIMIT_MS });
}

/**
 * Runs `work` holding the merge lock of one base branch of the repository. A squash-merge reads
 * the base, builds its commit on it and fast-forwards the base to that commit: two merges into
 * one base at once would build on the same base, and the second fast-forward would fail though
 * nothing conflicts. So every merge into a base takes this lock, from this process and from any
 * other Forge process on the repository; merges into different bases do not wait for each other.
 * The file is named by a hash of the branch, since a branch name may be longer than a file name.
 */
export async function withBaseBranchLock<T>(repoPath: string, branch: string, work: () => Promise<T>): Promise<T> {
  const name = `forge-merge-${createHash('sha256').update(branch).digest('hex').slice(0, 16)}.lock`;
  return withFileLock(join(await gitCommonDir(repoPath), name), work, { what: `merge (into ${branch})`, waitLimitMs: WAIT_LIMIT_MS });
}
