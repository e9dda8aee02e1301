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
