import { ForgeError } from '@forge-core/sdk';
import { commitAll } from '../git/commit.ts';
import { diffAgainst, mergeBase, type Diff } from '../git/diff.ts';
import { git, GitCommandError, gitOutput } from '../git/git.ts';
import { branchExists, remoteUrl, resolveCommit } from '../git/repository.ts';
import { advanceBranch, commitTree, mergeTrees } from '../git/squash-merge.ts';
import { listWorktrees } from '../git/worktree-list.ts';
import { redactCredentials } from '../runtime/redact-credentials.ts';
import type { Attempt } from '../store/attempt-store.ts';
import { FINISHED_ATTEMPT_STATES } from '../store/attempt-store.ts';
import type { Project } from '../store/project-store.ts';
import type { Stores } from '../store/stores.ts';
import type { Task } from '../store/task-store.ts';
import type { WorktreeManager } from '../worktrees/worktree-manager.ts';
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

export interface PushResult {
  remote: string;
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

  async diff(attemptId: string): Promise<AttemptDiff> {
    const { attempt, project } = await this.context(attemptId);
    const live = attempt.worktreePath !== null && (await this.worktrees.exists(attempt.worktreePath));
    if (!live && !(await branchExists(project.repoPath, attempt.branch))) {
      throw new ForgeError('FORGE_CONFLICT', `Attempt ${attempt.id} has no worktree or branch left to diff.`);
    }
    const cwd = live ? attempt.worktreePath! : project.repoPath;
    const head = await resolveCommit(cwd, live ? 'HEAD' : attempt.branch);
    const base = await mergeBase(cwd, attempt.baseBranch, head);
    const diff = live ? await diffAgainst(cwd, base) : await diffAgainst(cwd, base, head);
    return { ...diff, baseBranch: attempt.baseBranch, baseCommit: base, headCommit: head, includesWorkingTree: live };
  }

  /** Replays the attempt's commits onto the current base; on conflict nothing is changed. */
  async rebase(attemptId: string): Promise<RebaseResult> {
    const { attempt } = await this.context(attemptId, { finished: true });
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
  }

  /**
   * Squash-merges the attempt's branch into its base as one commit and closes the task. When
   * the base moved and the changes conflict, refuses with the conflicting files.
   */
  async merge(attemptId: string): Promise<MergeResult> {
    const { attempt, task, project } = await this.context(attemptId, { finished: true });
    const repo = project.repoPath;
    if (attempt.worktreePath && (await this.worktrees.exists(attempt.worktreePath))) {
      await commitAll(attempt.worktreePath, `Uncommitted changes before merge\n\nForge-Attempt: ${attempt.id}\n`);
    }
    if (!(await branchExists(repo, attempt.branch))) {
      throw new ForgeError('FORGE_CONFLICT', `The branch ${attempt.branch} of attempt ${attempt.id} no longer exists.`);
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
    const commit = await commitTree(repo, merged.tree, base, squashMessage(task, attempt));
    await this.moveBase(repo, attempt.baseBranch, commit, base);
    await this.changes.attempt(attempt.id, FINISHED_ATTEMPT_STATES, { mergeCommit: commit });
    await this.closeTask(task.id);
    return { mergeCommit: commit, baseBranch: attempt.baseBranch };
  }

  /** Pushes the attempt's branch to the project's `origin` under the same name. */
  async push(attemptId: string): Promise<PushResult> {
    const { attempt, project } = await this.context(attemptId, { finished: true });
    if (!(await remoteUrl(project.repoPath))) {
      throw new ForgeError('FORGE_UNPROCESSABLE', `${project.repoPath} has no "origin" remote to push to; add one with "git remote add origin <url>".`);
    }
    if (attempt.worktreePath && (await this.worktrees.exists(attempt.worktreePath))) {
      await commitAll(attempt.worktreePath, `Uncommitted changes before push\n\nForge-Attempt: ${attempt.id}\n`);
    }
    const ref = `refs/heads/${attempt.branch}`;
    try {
      // The branch is ours alone, so a rebase may rewrite it; the lease still refuses to
      // overwrite commits someone else pushed to it.
      await git(['push', '--porcelain', '--force-with-lease', 'origin', `${ref}:${ref}`], { cwd: project.repoPath, timeoutMs: 300_000 });
    } catch (error) {
      if (!(error instanceof GitCommandError)) throw error;
      const said = redactCredentials(error.stderr.trim() || error.stdout.trim());
      const rejected = /rejected|stale info|non-fast-forward/i.test(error.stdout + error.stderr);
      throw new ForgeError(rejected ? 'FORGE_PUSH_REJECTED' : 'FORGE_PUSH_FAILED', `git push to origin failed: ${said}`);
    }
    return { remote: 'origin', branch: attempt.branch, commit: await resolveCommit(project.repoPath, attempt.branch) };
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

  private async context(attemptId: string, require: { finished?: boolean } = {}): Promise<Context> {
    const attempt = await this.stores.attempts.get(attemptId);
    if (!attempt) throw new ForgeError('FORGE_NOT_FOUND', `No attempt with id ${attemptId}.`, { attemptId });
    if (require.finished && !FINISHED_ATTEMPT_STATES.includes(attempt.state)) {
      throw new ForgeError('FORGE_CONFLICT', `Attempt ${attemptId} is ${attempt.state}; stop it or wait for it to finish first.`, {
        state: attempt.state,
      });
    }
    const task = (await this.stores.tasks.get(attempt.taskId))!;
    const project = (await this.stores.projects.get(task.projectId))!;
    return { attempt, task, project };
  }
}

function squashMessage(task: Task, attempt: Attempt): string {
  const body = task.description ? `\n\n${task.description}` : '';
  return `${task.title}${body}\n\nForge-Task: ${task.id}\nForge-Attempt: ${attempt.id}\n`;
}
