import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * What is at a worktree's path: `absent` (no directory, or one without its `.git` file: removed,
 * or being removed), `unregistered` (its `.git` file points at an administrative directory that
 * no longer exists, so git refuses to work there: the repository it was added to was deleted, and
 * maybe another one initialised or cloned at its path), or `registered`.
 */
export type WorktreeLink = 'absent' | 'unregistered' | 'registered';

export async function worktreeLink(path: string): Promise<WorktreeLink> {
  let pointer: string;
  try {
    pointer = await readFile(resolve(path, '.git'), 'utf8');
  } catch (error) {
    // EISDIR: a directory of its own, a repository rather than a worktree of one.
    return (error as NodeJS.ErrnoException).code === 'EISDIR' ? 'unregistered' : 'absent';
  }
  const gitdir = /^gitdir: (.+)$/m.exec(pointer)?.[1]?.trim();
  if (!gitdir) return 'unregistered';
  // Relative since git 2.48 with worktree.useRelativePaths.
  const admin = await stat(resolve(path, gitdir)).catch(() => null);
  return admin?.isDirectory() ? 'registered' : 'unregistered';
}
