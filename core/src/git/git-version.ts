import semver from 'semver';
import { git } from './git.ts';

/** Squash merges use `git merge-tree --write-tree`, which came in git 2.38 (spec/decisions/0006). */
export const MIN_GIT_VERSION = '2.38.0';

/** The version of the git on the PATH ("2.43.0"), or null when no git answers `git --version`. */
export async function installedGitVersion(): Promise<string | null> {
  try {
    const { stdout } = await git(['--version'], { cwd: process.cwd(), timeoutMs: 10_000 });
    return semver.coerce(stdout)?.version ?? null;
  } catch {
    return null;
  }
}

export const isGitRecentEnough = (version: string) => semver.gte(version, MIN_GIT_VERSION);
