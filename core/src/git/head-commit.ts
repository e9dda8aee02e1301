import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const OBJECT_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * The commit HEAD of `worktree` points at, read from git's own files instead of spawning
 * `git rev-parse` (a spawn holds the server's main thread until the child has started, the
 * dearest part of an attempt's commit under load). Null when the files cannot answer (the
 * reftable format, a ref only in packed-refs, a symbolic ref to a symbolic ref): ask git.
 */
export function headCommitInFiles(worktree: string): string | null {
  // A linked worktree's `.git` is a file naming its git directory; the main worktree's is the directory.
  const pointer = readIfFile(join(worktree, '.git'));
  const gitDir = pointer?.startsWith('gitdir: ') ? resolve(worktree, pointer.slice('gitdir: '.length).trim()) : join(worktree, '.git');
  const head = readIfFile(join(gitDir, 'HEAD'))?.trim();
  if (head === undefined) return null;
  if (OBJECT_ID.test(head)) return head; // detached
  if (!head.startsWith('ref: refs/heads/')) return null;
  const common = readIfFile(join(gitDir, 'commondir'))?.trim();
  const commonDir = common ? resolve(gitDir, common) : gitDir;
  if (existsSync(join(commonDir, 'reftable'))) return null;
  const commit = readIfFile(join(commonDir, head.slice('ref: '.length)))?.trim();
  return commit !== undefined && OBJECT_ID.test(commit) ? commit : null;
}

function readIfFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // missing, or a directory
  }
}
