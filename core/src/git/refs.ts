import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gitOutput } from './git.ts';

const commonDirs = new Map<string, Promise<string>>();

/** The repository's shared git directory (where refs and worktree admin data live), cached. */
export function gitCommonDir(repoPath: string): Promise<string> {
  let dir = commonDirs.get(repoPath);
  if (!dir) {
    dir = gitOutput(['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: repoPath });
    dir.catch(() => commonDirs.delete(repoPath));
    commonDirs.set(repoPath, dir);
  }
  return dir;
}

/**
 * Whether a local branch exists, read from the ref files instead of spawning git: a spawn costs
 * the server's main thread a millisecond or two, and this check sits on the path of every
 * attempt start. Null when the files cannot answer (the reftable format, an odd name): ask git.
 */
export async function branchExistsInFiles(repoPath: string, branch: string): Promise<boolean | null> {
  if (branch.includes('..') || branch.startsWith('/') || branch.includes('\\')) return null;
  const common = await gitCommonDir(repoPath);
  if (await exists(join(common, 'reftable'))) return null;
  const loose = await readFile(join(common, 'refs', 'heads', branch), 'utf8').catch(() => null);
  if (loose !== null) return /^[0-9a-f]{40,64}\s*$/.test(loose) || loose.startsWith('ref: ');
  const packed = await readFile(join(common, 'packed-refs'), 'utf8').catch(() => '');
  return packed.includes(` refs/heads/${branch}\n`);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
