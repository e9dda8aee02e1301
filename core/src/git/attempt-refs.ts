import { git, GitCommandError, gitOutput } from './git.ts';
import { deleteBranch } from './repository.ts';

/**
 * Where the last commit of an attempt is kept once its branch is deleted: a ref outside
 * refs/heads, so `git branch` stays clean while the work stays reachable (git gc keeps what any
 * ref points at) and a follow-up can bring the branch back from it.
 */
export function keptHeadsRoot(branchPrefix: string): string {
  return `refs/${branchPrefix}/attempts/`;
}

/**
 * Under the attempt's own branch prefix (`forge/…` → refs/forge/attempts/<id>): a server owns the
 * namespace of its FORGE_BRANCH_PREFIX, branches and kept commits alike, so two servers with
 * different prefixes on one repository never take each other's.
 */
export function keptHeadRef(attempt: { id: string; branch: string }): string {
  return `${keptHeadsRoot(attempt.branch.split('/', 1)[0]!)}${attempt.id}`;
}

/** The attempt's last commit: its branch, or the commit kept when the branch was deleted; null if neither. */
export async function attemptHead(repoPath: string, attempt: { id: string; branch: string }): Promise<string | null> {
  for (const ref of [`refs/heads/${attempt.branch}`, keptHeadRef(attempt)]) {
    const commit = await commitOf(repoPath, ref);
    if (commit) return commit;
  }
  return null;
}

/**
 * Deletes an attempt's branch after keeping its last commit under the attempt's kept ref. The
 * ref is written first: should the process die in between, both exist and nothing is lost.
 * Returns the kept commit, or null when the branch was already gone.
 */
export async function keepHeadAndDeleteBranch(repoPath: string, attempt: { id: string; branch: string }): Promise<string | null> {
  const commit = await commitOf(repoPath, `refs/heads/${attempt.branch}`);
  if (!commit) return null;
  await git(['update-ref', '-m', `forge: kept when ${attempt.branch} was deleted`, keptHeadRef(attempt), commit], { cwd: repoPath });
  // `git branch -D`, not update-ref: it refuses a branch that some worktree has checked out.
  await deleteBranch(repoPath, attempt.branch);
  return commit;
}

/** The ids of the attempts that have a kept commit in the repository under this branch prefix. */
export async function listKeptHeads(repoPath: string, branchPrefix: string): Promise<string[]> {
  const root = keptHeadsRoot(branchPrefix);
  const out = await gitOutput(['for-each-ref', '--format=%(refname)', root], { cwd: repoPath });
  return out === '' ? [] : out.split('\n').map((ref) => ref.slice(root.length));
}

/** Drops these kept commits (refs from keptHeadRef; one git call however many; a missing one is no error). */
export async function deleteKeptHeads(repoPath: string, refs: readonly string[]): Promise<void> {
  if (refs.length === 0) return;
  const input = refs.map((ref) => `delete ${ref}\n`).join('');
  await git(['update-ref', '--stdin'], { cwd: repoPath, input });
}

async function commitOf(repoPath: string, ref: string): Promise<string | null> {
  try {
    return await gitOutput(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], { cwd: repoPath });
  } catch (error) {
    if (error instanceof GitCommandError && error.exitCode === 1) return null;
    throw error;
  }
}
