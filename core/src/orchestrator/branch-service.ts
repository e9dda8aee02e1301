import { ForgeError } from '@forge-core/sdk';
import { attemptHead } from '../git/attempt-refs.ts';
import { commitAll } from '../git/commit.ts';
import { diffAgainst, mergeBase, type Diff } from '../git/diff.ts';
import { git, GitCommandError, gitOutput } from '../git/git.ts';
import { branchExists, remoteUrl, resolveCommit } from '../git/repository.ts';
import { advanceBranch, commitTree, mergeTrees, treeOf } from '../git/squash-merge.ts';
import { worktreeLink } from '../git/worktree-link.ts';
import { listWorktrees } from '../git/worktree-list.ts';
import { ForeignCommitsError, pushWithToken, type PushCredentials } from '../git/push-with-token.ts';
import { redactCredentials, redactValues } from '../runtime/redact-credentials.ts';
import type { Attempt } from '../store/attempt-store.ts';
import { FINISHED_ATTEMPT_STATES } from '../store/attempt-store.ts';
import type { Project } from '../store/project-store.ts';
import type { Stores } from '../store/stores.ts';
import type { Task } from '../store/task-store.ts';
import { withAttemptLock } from '../worktrees/attempt-lock.ts';
import { withBaseBranchLock } from '../worktrees/repo-lock.ts';
import { alreadyMerged } from './already-merged.ts';
import { withRepository } from './repository-guard.ts';
import type { AttemptLifecycle } from '../lifecycle/attempt-lifecycle.ts';

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

/** The code host's credentials for a project's pushes, when Forge has a token for it; null: git's own. */
export type PushCredentialsFor = (project: Project) => PushCredentials | null;

/** What happens to an attempt's branch after the agent: diff, rebase, squash-merge, push. */
export class BranchService {
  constructor(
    private readonly stores: Stores,
    private readonly attempts: AttemptLifecycle,
    private readonly closeTask: (taskId: string) => Promise<void>,
    private readonly pushCredentials: PushCredentialsFor = () => null,
  ) {}

  diff(attemptId: string): Promise<AttemptDiff> {
    return this.withContext(attemptId, 'diff', {}, async (context) => {
      const { attempt, project } = context;
      await requireBaseBranch(project.repoPath, attempt);
      const worktree = await this.worktreeOf(context);
      // Without a worktree: the branch, or the commit kept when the retention deleted the branch.
      const head = worktree ? await resolveCommit(worktree, 'HEAD') : await attemptHead(project.repoPath, attempt);
      if (!head) {
        const why =
          attempt.state === 'queued' || attempt.state === 'preparing'
            ? `has not started yet (${attempt.state}): there is nothing to diff until its worktree is made`
            : 'has no worktree or branch left to diff (its task was deleted, or they were removed by hand)';
        throw new ForgeError('FORGE_CONFLICT', `Attempt ${attempt.id} ${why}.`, { attemptId: attempt.id });
      }
      const cwd = worktree ?? project.repoPath;
      const base = await mergeBase(cwd, attempt.baseBranch, head);
      const diff = worktree ? await diffAgainst(cwd, base) : await diffAgainst(cwd, base, head);
      return { ...diff, baseBranch: attempt.baseBranch, baseCommit: base, headCommit: head, includesWorkingTree: worktree !== null };
    });
  }

  /** Replays the attempt's commits onto the current base; on conflict nothing is changed. */
  rebase(attemptId: string): Promise<RebaseResult> {
    return this.withContext(attemptId, 'rebase', { finished: true }, async (context) => {
      const { attempt, project } = context;
      const worktree = await this.requireWorktree(context);
      await requireBaseBranch(project.repoPath, attempt);
      await commitAll(worktree, `Uncommitted changes before rebase\n\nForge-Attempt: ${attempt.id}\n`);
      try {
        await git(['rebase', attempt.baseBranch], { cwd: worktree, env: { GIT_EDITOR: 'true' } });
      } catch (error) {
        if (!(error instanceof GitCommandError)) throw error;
        const conflicts = (await gitOutput(['diff', '--name-only', '--diff-filter=U'], { cwd: worktree }).catch(() => ''))
          .split('\n')
          .filter(Boolean);
        await git(['rebase', '--abort'], { cwd: worktree }).catch(() => undefined);
        // No conflicting file: not a conflict (the base or the worktree went meanwhile); withContext says what it was.
        if (conflicts.length === 0) throw error;
        throw new ForgeError(
          'FORGE_MERGE_CONFLICT',
          `Rebasing onto ${attempt.baseBranch} conflicts in ${conflicts.length} file(s); nothing was changed. Resolve with a follow-up or by hand.`,
          { conflicts },
        );
      }
      return { baseCommit: await resolveCommit(worktree, attempt.baseBranch), headCommit: await resolveCommit(worktree, 'HEAD') };
    });
  }

  /**
   * Squash-merges the attempt's branch into its base as one commit and closes the task. When
   * the base moved and the changes conflict, refuses with the conflicting files. An attempt
   * merges once: merging it again is refused (FORGE_ALREADY_MERGED) before git is touched.
   */
  async merge(attemptId: string): Promise<MergeResult> {
    const { taskId, ...merged } = await this.withContext(attemptId, 'merge', { finished: true }, async (context) => {
      const { attempt, task, project } = context;
      if (attempt.mergeCommit) throw alreadyMerged(attempt);
      const commit = await withBaseBranchLock(project.repoPath, attempt.baseBranch, () => this.squashIntoBase(context));
      await this.attempts.record(attempt.id, { mergeCommit: commit }, { inStates: FINISHED_ATTEMPT_STATES });
      return { mergeCommit: commit, baseBranch: attempt.baseBranch, taskId: task.id };
    });
    // Outside the attempt's lock, which closing the task takes to remove the worktree. The merge
    // has landed: a task deleted meanwhile needs no closing, and the answer still says it landed.
    await this.closeTask(taskId).catch((error: unknown) => {
      if (!(error instanceof ForgeError && error.code === 'FORGE_NOT_FOUND')) throw error;
    });
    return merged;
  }

  /**
   * Pushes the attempt's branch, or its base branch, to the project's `origin` under the same
   * name. The attempt's branch is Forge's alone, so a rebase may have rewritten it: it is pushed
   * with a lease, which still refuses to overwrite commits someone else pushed to it. The base is
   * shared: it is only ever fast-forwarded, and refused when origin's base has commits ours lacks.
   * With a token for the code host, the push goes to the project's remote URL through
   * `pushWithToken`, which reads none of the repository's configuration, and
   * `refs/forge-pushed/<branch>` records what was sent, for the next lease.
   */
  async push(attemptId: string, target: PushTarget = 'attempt'): Promise<PushResult> {
    // What to send is settled holding the attempt's lock. The push, which may take minutes, runs
    // after it is let go, so closing the task need not wait: it sends a commit by its id.
    const { repo, branch, commit, credentials } = await this.withContext(attemptId, 'push', { finished: target === 'attempt' }, async (context) => {
      const { attempt, project } = context;
      const repo = project.repoPath;
      const credentials = this.pushCredentials(project);
      if (credentials === null && !(await remoteUrl(repo))) {
        throw new ForgeError('FORGE_UNPROCESSABLE', `${repo} has no "origin" remote to push to; add one with "git remote add origin <url>".`);
      }
      const branch = target === 'attempt' ? attempt.branch : attempt.baseBranch;
      const worktree = target === 'attempt' ? await this.worktreeOf(context) : null;
      if (worktree) await commitAll(worktree, `Uncommitted changes before push\n\nForge-Attempt: ${attempt.id}\n`);
      if (target === 'base') await requireBaseBranch(repo, attempt);
      if (!(await branchExists(repo, branch))) {
        throw new ForgeError('FORGE_CONFLICT', `The branch ${branch} of attempt ${attempt.id} no longer exists.`);
      }
      // The commit is read once and pushed by its id, so the answer names exactly what was sent.
      return { repo, branch, commit: await resolveCommit(repo, branch), credentials };
    });
    const remote = credentials?.url ?? 'origin';
    try {
      if (credentials === null) {
        const lease = target === 'attempt' ? ['--force-with-lease'] : [];
        await git(['push', '--porcelain', ...lease, 'origin', `${commit}:refs/heads/${branch}`], { cwd: repo, timeoutMs: 300_000 });
      } else {
        // Forge's own record of what it pushed: not a remote-tracking ref, which any `git fetch` rewrites.
        const record = `refs/forge-pushed/${branch}`;
        const pushed = target === 'attempt' ? await gitOutput(['rev-parse', '--verify', '--quiet', record], { cwd: repo }).catch(() => '') : undefined;
        await pushWithToken(repo, credentials, { commit, branch, ...(pushed === undefined ? {} : { lease: { pushed: pushed || null } }), timeoutMs: 300_000 });
        await git(['update-ref', record, commit], { cwd: repo });
      }
    } catch (error) {
      if (error instanceof ForeignCommitsError) {
        throw new ForgeError(
          'FORGE_PUSH_REJECTED',
          `${remote} has commits on ${branch} that Forge did not push (at ${error.remoteCommit}); nothing was overwritten. Bring them into the attempt (a follow-up, or by hand), or delete the branch on the host, then push again.`,
          { pushed: target, branch, remoteCommit: error.remoteCommit },
        );
      }
      if (!(error instanceof GitCommandError)) throw error;
      // With --porcelain, git says why a ref was refused on stdout ("[rejected] … (stale info)").
      const reason = error.stdout.split('\n').find((line) => line.startsWith('!'))?.trim();
      const said = redactValues(redactCredentials([error.stderr.trim() || error.stdout.trim(), reason].filter(Boolean).join(' ')), credentials ? [credentials.token] : []);
      const rejected = /rejected|stale info|non-fast-forward/i.test(error.stdout + error.stderr);
      if (!rejected) throw new ForgeError('FORGE_PUSH_FAILED', `git push to ${remote} failed: ${said}${authAdvice(error.stderr, credentials)}`, { remote, pushed: target, branch });
      const advice =
        target === 'base' ? ` origin's ${branch} has commits that ${branch} in ${repo} lacks; pull them into ${branch}, then push again.` : '';
      throw new ForgeError('FORGE_PUSH_REJECTED', `${remote} refused ${branch}: ${said}${advice}`, { pushed: target, branch });
    }
    return { remote, pushed: target, branch, commit };
  }

  /**
   * The squash-merge itself, run holding the base's merge lock: the base is read here, inside
   * the lock, so the commit built on it is a fast-forward of the base until the lock is let go.
   * Returns the new commit, which the base now points at.
   */
  private async squashIntoBase(context: Context): Promise<string> {
    const { attempt, task, project } = context;
    const repo = project.repoPath;
    const worktree = await this.worktreeOf(context);
    if (worktree) await commitAll(worktree, `Uncommitted changes before merge\n\nForge-Attempt: ${attempt.id}\n`);
    if (!(await branchExists(repo, attempt.branch))) {
      throw new ForgeError('FORGE_CONFLICT', `The branch ${attempt.branch} of attempt ${attempt.id} no longer exists.`);
    }
    await requireBaseBranch(repo, attempt);
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

  private async requireWorktree(context: Context): Promise<string> {
    const worktree = await this.worktreeOf(context);
    if (!worktree) {
      throw new ForgeError('FORGE_CONFLICT', `Attempt ${context.attempt.id} has no worktree (its task was closed); send a follow-up to bring it back.`);
    }
    return worktree;
  }

  /**
   * The attempt's worktree, or null when it has none. One git no longer knows as a worktree of
   * the repository (the repository was replaced) is refused: git fails in it whatever it runs.
   */
  private async worktreeOf({ attempt, task, project }: Context): Promise<string | null> {
    if (!attempt.worktreePath) return null;
    const link = await worktreeLink(attempt.worktreePath);
    if (link === 'unregistered') throw unregisteredWorktree(attempt, task, project);
    return link === 'registered' ? attempt.worktreePath : null;
  }

  /**
   * Loads the attempt with its task and project, and runs `work` on the project's repository,
   * holding the attempt's lock: closing or deleting the task waits until it is done, and it
   * reads the attempt as the last such change left it.
   */
  private withContext<T>(attemptId: string, operation: string, require: { finished?: boolean }, work: (context: Context) => Promise<T>): Promise<T> {
    return withAttemptLock(attemptId, async () => {
      const attempt = await this.stores.attempts.get(attemptId);
      if (!attempt) throw new ForgeError('FORGE_NOT_FOUND', `No attempt with id ${attemptId}.`, { attemptId });
      if (require.finished && !FINISHED_ATTEMPT_STATES.includes(attempt.state)) {
        throw new ForgeError('FORGE_CONFLICT', `Attempt ${attemptId} is ${attempt.state}; stop it or wait for it to finish first.`, {
          state: attempt.state,
        });
      }
      const task = await this.stores.tasks.get(attempt.taskId);
      const project = task && (await this.stores.projects.get(task.projectId));
      if (!task || !project) throw deletedMeanwhile(attemptId, operation);
      const context = { attempt, task, project };
      try {
        return await withRepository(project, () => work(context));
      } catch (error) {
        if (!(error instanceof GitCommandError)) throw error;
        throw await this.explainGitFailure(operation, context, error);
      }
    });
  }

  /**
   * A git command failed: when what it worked on was taken away while it ran (by hand, or by
   * another process: this one waits on the attempt's lock), says so as a 4xx. Only a failure
   * nothing explains stays what it is, a bug.
   */
  private async explainGitFailure(operation: string, { attempt, task, project }: Context, error: GitCommandError): Promise<Error> {
    const now = await this.stores.attempts.get(attempt.id);
    if (!now || !(await this.stores.tasks.get(now.taskId))) return deletedMeanwhile(attempt.id, operation);
    const repo = project.repoPath;
    if (!(await branchExists(repo, attempt.baseBranch))) return baseBranchMissing(repo, attempt);
    const link = attempt.worktreePath ? await worktreeLink(attempt.worktreePath) : 'absent';
    if (link === 'unregistered') return unregisteredWorktree(attempt, task, project);
    const removed = attempt.worktreePath && link === 'absent' ? 'worktree' : (await branchExists(repo, attempt.branch)) ? null : 'branch';
    if (!removed) return error;
    return new ForgeError(
      'FORGE_CONFLICT',
      `The ${removed} of attempt ${attempt.id} was removed while the ${operation} ran (its task was closed or deleted, or it was removed by hand). Try again: without a worktree, diff and merge use the branch; a follow-up brings the worktree back.`,
      { attemptId: attempt.id, removed },
    );
  }
}

/** What to do when origin refused who Forge pushed as. */
function authAdvice(stderr: string, credentials: PushCredentials | null): string {
  if (!/authentication failed|could not read username|403|401|terminal prompts disabled/i.test(stderr)) return '';
  return credentials
    ? ` ${credentials.describe} was refused; check that the token is valid, not expired, and may push to the repository.`
    : " Forge has no token for this host; configure one (GET /api/v1/git-providers says where), or use an ssh remote with a key.";
}

async function requireBaseBranch(repo: string, attempt: Attempt): Promise<void> {
  if (!(await branchExists(repo, attempt.baseBranch))) throw baseBranchMissing(repo, attempt);
}

function baseBranchMissing(repo: string, attempt: Attempt): ForgeError {
  return new ForgeError(
    'FORGE_BRANCH_NOT_FOUND',
    `The base branch "${attempt.baseBranch}" of attempt ${attempt.id} does not exist in ${repo} (renamed or deleted). Bring it back under that name, or start a new attempt with "baseBranch" set to the branch to use.`,
    { branch: attempt.baseBranch },
  );
}

function deletedMeanwhile(attemptId: string, operation: string): ForgeError {
  return new ForgeError('FORGE_NOT_FOUND', `Attempt ${attemptId} was deleted with its task while the ${operation} waited or ran.`, { attemptId });
}

function unregisteredWorktree(attempt: Attempt, task: Task, project: Project): ForgeError {
  const path = attempt.worktreePath!;
  return new ForgeError(
    'FORGE_CONFLICT',
    `The worktree ${path} of attempt ${attempt.id} is no longer a worktree of the repository at ${project.repoPath}: that repository was replaced (deleted, then initialised or cloned again). Its files are still in ${path}; copy out what you need, then delete the task (DELETE /api/v1/tasks/${task.id}) or mark it done, which removes the worktree.`,
    { attemptId: attempt.id, worktreePath: path, repoPath: project.repoPath },
  );
}

function squashMessage(task: Task, attempt: Attempt): string {
  const body = task.description ? `\n\n${task.description}` : '';
  return `${task.title}${body}\n\nForge-Task: ${task.id}\nForge-Attempt: ${attempt.id}\n`;
}
