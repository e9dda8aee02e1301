import { realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * The forms of the worktree path an agent may report a file under: the path the host gave and
 * its real path (macOS's /var is /private/var), so a symlink never makes a worktree file look
 * foreign.
 */
export function worktreeRoots(worktree: string): string[] {
  try {
    const real = realpathSync(worktree);
    return real === worktree ? [worktree] : [worktree, real];
  } catch {
    return [worktree];
  }
}

/** `/`-separated, as clients show paths on every platform. */
const slashed = (filePath: string) => filePath.split(path.sep).join('/');

/**
 * A path an agent reported, as clients show it: relative to the worktree (`src/a.ts`, without a
 * leading `./`) when it lies under one of `roots`. A path outside every root stays absolute, so
 * it is never mistaken for a file in the worktree.
 */
export function relativeToWorktree(filePath: string, roots: readonly string[]): string {
  if (!path.isAbsolute(filePath)) return slashed(filePath).replace(/^\.\//, '');
  for (const root of roots) {
    const relative = path.relative(root, filePath);
    if (relative !== '' && relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative)) return slashed(relative);
  }
  return filePath;
}
