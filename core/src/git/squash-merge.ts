import { identityArgs } from './commit.ts';
import { git, GitCommandError, gitOutput } from './git.ts';

export type SquashResult = { ok: true; tree: string } | { ok: false; conflicts: string[] };

/**
 * Merges `head` onto `base` in memory (`git merge-tree --write-tree`, git ≥ 2.38): no worktree,
 * index or checkout is touched, so a merge never disturbs the user's own checkout or a
 * running agent. Conflicts are reported, not left behind.
 */
export async function mergeTrees(repoPath: string, base: string, head: string): Promise<SquashResult> {
  try {
    const out = await gitOutput(['merge-tree', '--write-tree', '--name-only', '--no-messages', base, head], { cwd: repoPath });
    return { ok: true, tree: out.split('\n', 1)[0]! };
  } catch (error) {
    if (error instanceof GitCommandError && error.exitCode === 1) {
      const [, ...rest] = error.stdout.split('\n');
      const conflicts = rest.slice(0, Math.max(0, rest.indexOf(''))).filter(Boolean);
      return { ok: false, conflicts: [...new Set(conflicts)] };
    }
    throw error;
  }
}

/** The tree a commit records. */
export async function treeOf(repoPath: string, commit: string): Promise<string> {
  return gitOutput(['rev-parse', '--verify', '--end-of-options', `${commit}^{tree}`], { cwd: repoPath });
}

/** A commit of `tree` whose only parent is `parent`: the squash of a whole branch. */
export async function commitTree(repoPath: string, tree: string, parent: string, message: string): Promise<string> {
  const identity = await identityArgs(repoPath);
  return gitOutput([...identity, 'commit-tree', tree, '-p', parent, '-F', '-'], { cwd: repoPath, input: message });
}

/** Moves `branch` from `expected` to `commit`, failing if someone moved it meanwhile. */
export async function advanceBranch(repoPath: string, branch: string, commit: string, expected: string): Promise<void> {
  await git(['update-ref', '-m', 'forge: squash merge', `refs/heads/${branch}`, commit, expected], { cwd: repoPath });
}
