import { git, GitCommandError, gitOutput, gitSucceeds } from './git.ts';
import { headCommitInFiles } from './head-commit.ts';

// Used only when the repository has no identity of its own, so a fresh machine still commits.
const FALLBACK_IDENTITY = ['-c', 'user.name=Forge Core', '-c', 'user.email=forge@localhost'];
// Git stops guessing an identity from the user and host names: one that is not configured fails.
const CONFIGURED_IDENTITY_ONLY = ['-c', 'user.useConfigOnly=true'];

/**
 * Stages everything in the worktree and commits it; returns the new commit, or null if clean.
 * Three git processes: the commit tries the repository's own identity first and is made again
 * with the fallback only when it has none, instead of two lookups before every commit, and the
 * new commit is read from the branch's ref file.
 */
export async function commitAll(worktree: string, message: string): Promise<string | null> {
  await git(['add', '--all'], { cwd: worktree });
  if (await gitSucceeds(['diff', '--cached', '--quiet'], { cwd: worktree })) return null;
  const commit = (identity: readonly string[]) => git([...identity, 'commit', '--quiet', '--no-verify', '--file', '-'], { cwd: worktree, input: message });
  await commit(CONFIGURED_IDENTITY_ONLY).catch((error: unknown) => {
    if (!isMissingIdentity(error)) throw error;
    return commit(FALLBACK_IDENTITY);
  });
  return headCommitInFiles(worktree) ?? gitOutput(['rev-parse', 'HEAD'], { cwd: worktree });
}

/** Git refused to commit for want of a configured name or email (its messages are in English: LC_ALL=C). */
function isMissingIdentity(error: unknown): boolean {
  return error instanceof GitCommandError && /auto-detection is disabled|Please tell me who you are/.test(error.stderr);
}

/** `-c user.*` arguments when the repository has no committer identity of its own, else none. */
export async function identityArgs(cwd: string): Promise<string[]> {
  try {
    await git(['config', 'user.email'], { cwd });
    await git(['config', 'user.name'], { cwd });
    return [];
  } catch {
    return FALLBACK_IDENTITY;
  }
}
