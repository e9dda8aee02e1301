import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { git, gitOutput, gitSucceeds } from './git.ts';
import { branchExistsInFiles } from './refs.ts';

/** The realpath of the repository's top level when `path` is exactly that top level, else null. */
export async function repositoryTopLevel(path: string): Promise<string | null> {
  try {
    const real = await realpath(path);
    const top = await gitOutput(['rev-parse', '--show-toplevel'], { cwd: real });
    return (await realpath(top)) === real ? real : null;
  } catch {
    return null;
  }
}

/**
 * Whether the repository registered at `repoPath` (a top level) is still there: its `.git`
 * directory, or the file pointing to it, exists. Synchronous on purpose, like the ref reads in
 * refs.ts: one stat, on the path of every attempt start.
 */
export function repositoryPresent(repoPath: string): boolean {
  return existsSync(join(repoPath, '.git'));
}

export async function hasCommits(repoPath: string): Promise<boolean> {
  return gitSucceeds(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: repoPath });
}

/** The branch HEAD points at, or null when HEAD is detached. */
export async function currentBranch(repoPath: string): Promise<string | null> {
  try {
    return await gitOutput(['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd: repoPath });
  } catch {
    return null;
  }
}

export async function branchExists(repoPath: string, branch: string): Promise<boolean> {
  const fromFiles = await branchExistsInFiles(repoPath, branch).catch(() => null);
  return fromFiles ?? gitSucceeds(['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: repoPath });
}

export async function resolveCommit(repoPath: string, ref: string): Promise<string> {
  return gitOutput(['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`], { cwd: repoPath });
}

export async function listBranches(repoPath: string, prefix: string): Promise<string[]> {
  const out = await gitOutput(['for-each-ref', '--format=%(refname:short)', `refs/heads/${prefix}/`], { cwd: repoPath });
  return out === '' ? [] : out.split('\n');
}

export async function deleteBranch(repoPath: string, branch: string): Promise<void> {
  await git(['branch', '-D', '--', branch], { cwd: repoPath });
}

export async function remoteUrl(repoPath: string, remote = 'origin'): Promise<string | null> {
  try {
    return await gitOutput(['remote', 'get-url', '--', remote], { cwd: repoPath });
  } catch {
    return null;
  }
}

/** Every remote URL of the repository (fetch and push), as its config holds them, credentials included. */
export async function remoteUrls(repoPath: string): Promise<string[]> {
  const out = await gitOutput(['config', '--get-regexp', '^remote\\..*\\.(push)?url$'], { cwd: repoPath }).catch(() => '');
  return out
    .split('\n')
    .map((line) => line.slice(line.indexOf(' ') + 1))
    .filter(Boolean);
}
