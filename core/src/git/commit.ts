import { git, gitOutput, gitSucceeds } from './git.ts';

// Used only when the repository has no identity of its own, so a fresh machine still commits.
const FALLBACK_IDENTITY = ['-c', 'user.name=Forge Core', '-c', 'user.email=forge@localhost'];

/** Stages everything in the worktree and commits it; returns the new commit, or null if clean. */
export async function commitAll(worktree: string, message: string): Promise<string | null> {
  await git(['add', '--all'], { cwd: worktree });
  if (await gitSucceeds(['diff', '--cached', '--quiet'], { cwd: worktree })) return null;
  await git([...(await identityArgs(worktree)), 'commit', '--quiet', '--no-verify', '--file', '-'], { cwd: worktree, input: message });
  return gitOutput(['rev-parse', 'HEAD'], { cwd: worktree });
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
