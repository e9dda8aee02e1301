import path from 'node:path';

function insideOf(root: string, filePath: string): string | undefined {
  const relative = path.relative(root, filePath);
  const inside = relative !== '' && relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative);
  return inside ? relative.split(path.sep).join('/') : undefined;
}

/**
 * Claude reports absolute paths; clients show paths relative to the worktree. Several roots are
 * tried because the host's worktree path and the cwd Claude reports can differ by a symlink
 * (macOS's /var and /private/var). A path outside every root stays absolute, so it is never
 * mistaken for a file in the worktree.
 */
export function relativeToCwd(filePath: string, roots: readonly string[]): string {
  if (!path.isAbsolute(filePath)) return filePath;
  for (const root of roots) {
    const relative = insideOf(root, filePath);
    if (relative !== undefined) return relative;
  }
  return filePath;
}
