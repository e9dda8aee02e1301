import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** An agent asked for a path we will not touch: outside the worktree, its git metadata, or a link that points nowhere. */
export class PathRefused extends Error {}

/**
 * The real path of `target`, or of its nearest existing ancestor with the rest appended (a file
 * not yet written). A symbolic link that points nowhere is refused: what it would create lies
 * wherever its target says, which may be outside.
 */
function realPathOf(target: string, requested: string): string {
  const missing: string[] = [];
  let current = target;
  for (;;) {
    try {
      return path.join(realpathSync(current), ...missing.reverse());
    } catch {
      if (isLink(current)) throw new PathRefused(`${requested} goes through a symbolic link that points nowhere (${current})`);
      const parent = path.dirname(current);
      if (parent === current) return target;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

function isLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * The path an agent named, checked to lie inside the worktree once every symlink is followed
 * (a link inside pointing outside is outside). `.git` at the worktree's top is refused too, in
 * any case (`.GIT` is the same folder on some file systems, and git refuses such paths): it
 * points at the repository's metadata, which only the host changes. A relative path is read
 * from the worktree, though ACP asks agents for absolute ones.
 */
export function pathInsideWorktree(worktree: string, requested: string): string {
  const root = realPathOf(worktree, worktree);
  const real = realPathOf(path.resolve(worktree, requested), requested);
  const relative = path.relative(root, real);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new PathRefused(`${requested} is outside the attempt's worktree; this agent may only use files inside it`);
  }
  if (relative.split(path.sep)[0]?.toLowerCase() === '.git') throw new PathRefused(`${requested} is the worktree's git metadata, which only Forge changes`);
  return real;
}
