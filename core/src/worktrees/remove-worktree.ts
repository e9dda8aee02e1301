import { rm } from 'node:fs/promises';
import { git, GitCommandError } from '../git/git.ts';
import { branchExists, deleteBranch } from '../git/repository.ts';

/**
 * Removes a worktree, its directory and, when named, its branch, for a caller that holds the
 * repository lock (`withRepoLock`). Safe on anything half-made: a locked entry, an entry whose
 * directory is gone, a bare directory.
 */
export async function removeWorktreeLocked(repoPath: string, path: string, branch: string | null): Promise<void> {
  try {
    // Twice -f: also removes a worktree that is locked (ours are, from creation).
    await git(['worktree', 'remove', '-f', '-f', path], { cwd: repoPath });
  } catch (error) {
    if (!(error instanceof GitCommandError)) throw error;
    // Not a registered worktree, or its directory is already gone: drop any stale entry.
    await git(['worktree', 'unlock', path], { cwd: repoPath }).catch(() => undefined);
    await git(['worktree', 'prune'], { cwd: repoPath });
  }
  await rm(path, { recursive: true, force: true });
  if (branch && (await branchExists(repoPath, branch))) await deleteBranch(repoPath, branch);
}
