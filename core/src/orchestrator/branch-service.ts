import { ForgeError } from '@forge-core/sdk';
import { attemptHead } from '../git/attempt-refs.ts';
import { commitAll } from '../git/commit.ts';
import { diffAgainst, mergeBase, type Diff } from '../git/diff.ts';
import { git, GitCommandError, gitOutput } from '../git/git.ts';
import { branchExists, remoteUrl, resolveCommit } from '../git/repository.ts';
import { advanceBranch, commitTree, mergeTrees, treeOf } from '../git/squash-merge.ts';
import { listWorktrees } from '../git/worktree-list.ts';
import { redactCredentials } from '../runtime/redact-credentials.ts';
import type { Attempt } from '../store/attempt-store.ts';
import { FINISHED_ATTEMPT_STATES } from '../store/attempt-store.ts';
import type { Project } from '../store/project-store.ts';
import type { Stores } from '../store/stores.ts';
import type { Task } from '../store/task-store.ts';
import { withBaseBranchLock } from '../worktrees/repo-lock.ts';
import type { WorktreeManager } from '../worktrees/worktree-manager.ts';
import { withRepository } from './repository-guard.ts';
import type { StateChanges } from './state-changes.ts';

export interface AttemptDiff extends Diff {
  baseBranch: string;
  baseCommit: string;
  headCommit: string;
  /** Whether uncommitted work in the worktree is included. */
  includesWorkingTree: boolean;
}

export interface MergeResult {
  mergeCommit: string;
  baseBranch: string;
}

export interface RebaseResult {
  baseCommit: string;
  headCommit: string;
}

/** Which branch a push sends: the attempt's own, or the base it was merged into. */
export type PushTarget = 'attempt' | 'base';

export interface PushResult {
  remote: string;
  pushed: PushTarget;
  branch: string;
  commit: string;
}

interface Context {
  attempt: Attempt;
  task: Task;
  project: Project;
}

/** What happens to an attempt's branch after the agent: diff, rebase, squash-merge, push. */
export class BranchService {
  constructor(
    private readonly stores: Stores,
    private readonly worktrees: WorktreeManager,
    private readonly changes: StateChanges,
    private readonly closeTask: (taskId: string) => Promise<void>,
  ) {}

  diff(attemptId: string): Promise<AttemptDiff> {
    return this.withContext(attemptId, {}, async ({ attempt, project }) => {
      const live = attempt.worktreePath !== null && (await this.worktrees.exists(attempt.worktreePath));
      // Without a worktree: the branch, or the commit kept when the retention deleted the branch.
      const head = live ? await resolveCommit(attempt.worktreePath!, 'HEAD') : await attemptHead(project.repoPath, attempt);
      if (!head) throw new ForgeError('FORGE_CONFLICT', `Attempt ${attempt.id} has no worktree or branch left to diff.`);
      const cwd = live ? attempt.worktreePath! : project.repoPath;
      const base = await mergeBase(cwd, attempt.baseBranch, head);
      const diff = live ? await diffAgainst(cwd, base) : await diffAgainst(cwd, base, head);
      return { ...diff, baseBranch: attempt.baseBranch, baseCommit: base, headCommit: head, includesWorkingTree: live };
    });
  }

  /** Replays the attempt's commits onto the current base; on conflict nothing is changed. */
  rebase(attemptId: string): Promise<RebaseResult> {
    return this.withContext(attemptId, { finished: true }, async ({ attempt }) => {
      const worktree = await this.requireWorktree(attempt);
      await commitAll(worktree, `Uncommitted changes before rebase\n\nForge-Attempt: ${attempt.id}\n`);
      try {
        await git(['rebase', attempt.baseBranch], { cwd: worktree, env: { GIT_EDITOR: 'true' } });
      } catch (error) {
        if (!(error instanceof GitCommandError)) throw error;
        const conflicts = (await gitOutput(['diff', '--name-only', '--diff-filter=U'], { cwd: worktree }).catch(() => ''))
          .split('\n')
          .filter(Boolean);
        await git(['rebase', '--abort'], { cwd: worktree }).catch(() => undefined);
        throw new ForgeError(
          'FORGE_MERGE_CONFLICT',
          `Rebasing onto ${attempt.baseBranch} conflicts in ${conflicts.length || 'some'} file(s); nothing was changed. Resolve with a follow-up or by hand.`,
          { conflicts },
        );
      }
      return { baseCommit: await resolveCommit(worktree, attempt.baseBranch), headCommit: await resolveCommit(worktree, 'HEAD') };
    });
  }

  /**
   * Squash-merges the attempt's branch into its base as one commit and closes the task. When
   * the base moved and the changes conflict, refuses with the conflicting files.
   */
  merge(attemptId: string): Promise<MergeResult> {
    return this.withContext(attemptId, { finished: true }, async ({ attempt, task, project }) => {
      const commit = await withBaseBranchLock(project.repoPath, attempt.baseBranch, () => this.squashIntoBase(project.repoPath, attempt, task));
      await this.changes.attempt(attempt.id, FINISHED_ATTEMPT_STATES, { mergeCommit: commit });
      await this.closeTask(task.id);
      return { mergeCommit: commit, baseBranch: attempt.baseBranch };
    });
  }

  /**
   * Pushes the attempt's branch, or its base branch, to the project's `origin` under the same
   * name. The attempt's branch is Forge's alone, so a rebase may have rewritten it: it is pushed
   * with a lease, which still refuses to overwrite commits someone else pushed to it. The base is
   * shared: it is only ever fast-forwarded, and refused when origin's base has commits ours lacks.
   */
  push(attemptId: string, target: PushTarget = 'attempt'): Promise<PushResult> {
    return this.withContext(attemptId, { finished: target === 'attempt' }, async ({ attempt, project }) => {
      const repo = project.repoPath;
      if (!(await remoteUrl(repo))) {
        throw new ForgeError('FORGE_UNPROCESSABLE', `${repo} has no "origin" remote to push to; add one with "git remote add origin <url>".`);
      }
      const branch = target === 'attempt' ? attempt.branch : attempt.baseBranch;
      if (target === 'attempt' && attempt.worktreePath && (await this.worktrees.exists(attempt.worktreePath))) {
        await commitAll(attempt.worktreePath, `Uncommitted changes before push\n\nForge-Attempt: ${attempt.id}\n`);
      }
      if (!(await branchExists(repo, branch))) {
        throw target === 'attempt'
          ? new ForgeError('FORGE_CONFLICT', `The branch ${branch} of attempt ${attempt.id} no longer exists.`)
          : new ForgeError('FORGE_BRANCH_NOT_FOUND', `The base branch "${branch}" of attempt ${attempt.id} does not exist in ${repo}.`, { branch });
      }
      // The commit is read once and pushed by its id, so the answer names exactly what was sent.
      const commit = await resolveCommit(repo, branch);
      const lease = target === 'attempt' ? ['--force-with-lease'] : [];
      try {
        await git(['push', '--porcelain', ...lease, 'origin', `${commit}:refs/heads/${branch}`], { cwd: repo, timeoutMs: 300_000 });
      } catch (error) {
        if (!(error instanceof GitCommandError)) throw error;
        const said = redactCredentials(error.stderr.trim() || error.stdout.trim());
        const rejected = /rejected|stale info|non-fast-forward/i.test(error.stdout + error.stderr);
        if (!rejected) throw new ForgeError('FORGE_PUSH_FAILED', `git push to origin failed: ${said}`);
        const advice =
          target === 'base'
            ? ` origin's ${branch} has commits that ${branch} in ${repo} lacks; pull them into ${branch}, then push again.`
            : '';
        throw new ForgeError('FORGE_PUSH_REJECTED', `origin refused ${branch}: ${said}${advice}`, { pushed: target, branch });
      }
      return { remote: 'origin', pushed: target, branch, commit };
    });
  }

  /**
   * The squash-merge itself, run holding the base's merge lock: the base is read here, inside
   * the lock, so the commit built on it is a fast-forward of the base until the lock is let go.
   * Returns the new commit, which the base now points at.
   */
  private async squashIntoBase(repo: string, attempt: Attempt, task: Task): Promise<string> {
    if (attempt.worktreePath && (await this.worktrees.exists(attempt.worktreePath))) {
      await commitAll(attempt.worktreePath, `Uncommitted changes before merge\n\nForge-Attempt: ${attempt.id}\n`);
    }
    if (!(await branchExists(repo, attempt.branch))) {
      throw new ForgeError('FORGE_CONFLICT', `The branch ${attempt.branch} of attempt ${attempt.id} no longer exists.`);
    }
    if (!(await branchExists(repo, attempt.baseBranch))) {
      throw new ForgeError('FORGE_BRANCH_NOT_FOUND', `The base branch "${attempt.baseBranch}" of attempt ${attempt.id} does not exist in ${repo}.`, {
        branch: attempt.baseBranch,
      });
    }
    const base = await resolveCommit(repo, attempt.baseBranch);
    const head = await resolveCommit(repo, attempt.branch);
    if ((await mergeBase(repo, base, head)) === head) {
      throw new ForgeError('FORGE_NOTHING_TO_MERGE', `${attempt.branch} has no changes that ${attempt.baseBranch} lacks.`);
    }
    const merged = await mergeTrees(repo, base, head);
    if (!merged.ok) {
      throw new ForgeError(
        'FORGE_MERGE_CONFLICT',
        `${attempt.baseBranch} has moved and conflicts with this attempt in ${merged.conflicts.length} file(s); rebase the attempt, resolve, then merge.`,
        { conflicts: merged.conflicts },
      );
    }
    // Its changes are all in the base already (merged before, or brought in by hand): a squash
    // would be an empty commit.
    if (merged.tree === (await treeOf(repo, base))) {
      throw new ForgeError('FORGE_NOTHING_TO_MERGE', `${attempt.baseBranch} already has every change of ${attempt.branch}.`);
    }
    const commit = await commitTree(repo, merged.tree, base, squashMessage(task, attempt));
    await this.moveBase(repo, attempt.baseBranch, commit, base);
    return commit;
  }

  /**
   * Where the base is checked out (usually the user's own checkout), a fast-forward there moves
   * the branch and updates the files together, and refuses rather than overwrite local edits.
   */
  private async moveBase(repo: string, baseBranch: string, commit: string, expected: string): Promise<void> {
    const checkout = (await listWorktrees(repo)).find((w) => w.branch === baseBranch);
    try {
      if (checkout) await git(['merge', '--ff-only', '--quiet', commit], { cwd: checkout.path });
      else await advanceBranch(repo, baseBranch, commit, expected);
    } catch (error) {
      if (!(error instanceof GitCommandError)) throw error;
      throw new ForgeError(
        'FORGE_CONFLICT',
        `Could not move ${baseBranch}${checkout ? ` in its checkout ${checkout.path}` : ''}: ${error.stderr.trim() || error.message}. Commit or stash local changes there and merge again.`,
      );
    }
  }

  private async requireWorktree(attempt: Attempt): Promise<string> {
    if (!attempt.worktreePath || !(await this.worktrees.exists(attempt.worktreePath))) {
      throw new ForgeError('FORGE_CONFLICT', `Attempt ${attempt.id} has no worktree (its task was closed); send a follow-up to bring it back.`);
    }
    return attempt.worktreePath;
  }

  /** Loads the attempt with its task and project, and runs `work` on the project's repository. */
  private async withContext<T>(attemptId: string, require: { finished?: boolean }, work: (context: Context) => Promise<T>): Promise<T> {
    const attempt = await this.stores.attempts.get(attemptId);
    if (!attempt) throw new ForgeError('FORGE_NOT_FOUND', `No attempt with id ${attemptId}.`, { attemptId });
    if (require.finished && !FINISHED_ATTEMPT_STATES.includes(attempt.state)) {
      throw new ForgeError('FORGE_CONFLICT', `Attempt ${attemptId} is ${attempt.state}; stop it or wait for it to finish first.`, {
        state: attempt.state,
      });
    }
    const task = (await this.stores.tasks.get(attempt.taskId))!;
    const project = (await this.stores.projects.get(task.projectId))!;
    return withRepository(project, () => work({ attempt, task, project }));
  }
}

function squashMessage(task: Task, attempt: Attempt): string {
  const body = task.description ? `\n\n${task.description}` : '';
  return `${task.title}${body}\n\nForge-Task: ${task.id}\nForge-Attempt: ${attempt.id}\n`;
}
