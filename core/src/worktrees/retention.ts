import type { Logger } from 'pino';
import { keepHeadAndDeleteBranch } from '../git/attempt-refs.ts';
import { commitAll } from '../git/commit.ts';
import { listBranches, repositoryPresent } from '../git/repository.ts';
import { listWorktrees } from '../git/worktree-list.ts';
import { FINISHED_ATTEMPT_STATES, type Attempt } from '../store/attempt-store.ts';
import type { Project } from '../store/project-store.ts';
import type { AttemptLifecycle } from '../lifecycle/attempt-lifecycle.ts';
import type { Stores } from '../store/stores.ts';
import { withAttemptLock } from './attempt-lock.ts';
import { withRepoLock } from './repo-lock.ts';
import type { WorktreeManager } from './worktree-manager.ts';

export interface RetentionPolicy {
  /** A finished attempt's worktree is removed this long after it finished; its branch stays. */
  finishedWorktreeRetentionMs: number;
  /** A done or cancelled task's attempt branches are deleted this long after it closed; each head stays under a kept ref. */
  closedBranchRetentionMs: number;
}

export interface RetentionDeps {
  stores: Stores;
  /** Writes the attempt's worktree (released), with its event. */
  attempts: AttemptLifecycle;
  worktrees: WorktreeManager;
  branchPrefix: string;
  logger: Logger;
  policy: RetentionPolicy;
  /** Attempts this server is running right now, or whose worktree serves a dev server. */
  isActive(attemptId: string): boolean;
}

export interface RetentionReport {
  removedWorktrees: string[];
  /** Worktrees taken into the project's warm pool instead of removed (decision 0042). */
  pooledWorktrees: string[];
  deletedBranches: string[];
}

/**
 * Bounds what finished work holds on disk and in `git branch`, without losing any of it: an old
 * worktree goes but its branch stays (a follow-up makes a new worktree from it), and a closed
 * task's branch goes but its last commit stays under refs/forge/attempts/<attempt> (a follow-up
 * makes the branch again from it). Like the reconcile, each removal is decided again under the
 * repository lock, on the attempt and task read at that moment.
 */
export async function applyRetention(deps: RetentionDeps): Promise<RetentionReport> {
  const report: RetentionReport = { removedWorktrees: [], pooledWorktrees: [], deletedBranches: [] };
  const now = Date.now();
  const finishedBefore = new Date(now - deps.policy.finishedWorktreeRetentionMs).toISOString();
  const closedBefore = new Date(now - deps.policy.closedBranchRetentionMs).toISOString();
  for (const project of await deps.stores.projects.all()) {
    if (!repositoryPresent(project.repoPath)) continue; // nothing can be removed from it; its routes say why
    try {
      for (const attempt of await deps.stores.attempts.listIdleWorktrees(project.id, finishedBefore)) {
        await settle(deps, project, attempt, () => removeIdleWorktree(deps, project, attempt.id, finishedBefore, report));
      }
      const branches = new Set(await listBranches(project.repoPath, deps.branchPrefix));
      for (const attempt of await deps.stores.attempts.listOfClosedTasks(project.id, closedBefore)) {
        if (!branches.has(attempt.branch)) continue;
        await settle(deps, project, attempt, () => deleteClosedBranch(deps, project, attempt.id, closedBefore, report));
      }
    } catch (error) {
      deps.logger.warn({ err: error, projectId: project.id }, 'retention pass of a project failed');
    }
  }
  return report;
}

async function removeIdleWorktree(deps: RetentionDeps, project: Project, attemptId: string, finishedBefore: string, report: RetentionReport) {
  const attempt = await idleAttempt(deps, attemptId);
  const path = attempt?.worktreePath;
  if (!attempt || !path || attempt.finishedAt! > finishedBefore) return;
  if (await deps.worktrees.exists(path)) {
    // Edits made by hand after the attempt finished are kept on its branch, not thrown away.
    await commitAll(path, `Uncommitted changes, kept when the worktree was removed\n\nForge-Attempt: ${attempt.id}\n`);
  }
  if (!(await deps.attempts.releaseWorktree(attempt.id, path))) return;
  const outcome = await deps.worktrees.releaseLocked(project.repoPath, project.id, path);
  (outcome === 'pooled' ? report.pooledWorktrees : report.removedWorktrees).push(path);
  deps.logger.info(
    { projectId: project.id, attemptId, path, reason: `finished at ${attempt.finishedAt}, longer ago than the worktree retention` },
    outcome === 'pooled' ? 'retention took the worktree of a finished attempt into the warm pool; its branch stays' : 'retention removed the worktree of a finished attempt; its branch stays',
  );
}

async function deleteClosedBranch(deps: RetentionDeps, project: Project, attemptId: string, closedBefore: string, report: RetentionReport) {
  const attempt = await idleAttempt(deps, attemptId);
  const task = attempt && (await deps.stores.tasks.get(attempt.taskId));
  if (!attempt || !task || !['done', 'cancelled'].includes(task.status) || task.updatedAt > closedBefore) return;
  // A worktree still on the branch (an odd state for a closed task) keeps it.
  if ((await listWorktrees(project.repoPath)).some((e) => e.branch === attempt.branch)) return;
  const kept = await keepHeadAndDeleteBranch(project.repoPath, attempt);
  if (!kept) return;
  report.deletedBranches.push(attempt.branch);
  deps.logger.info(
    { projectId: project.id, attemptId, branch: attempt.branch, keptAs: kept, reason: `its task is ${task.status} since before the branch retention` },
    'retention deleted the branch of a closed task; its last commit is kept under refs/forge/attempts/',
  );
}

/** The attempt as it is now, if it is finished and not being run here. */
async function idleAttempt(deps: RetentionDeps, attemptId: string): Promise<Attempt | undefined> {
  const attempt = await deps.stores.attempts.get(attemptId);
  return attempt && FINISHED_ATTEMPT_STATES.includes(attempt.state) && !deps.isActive(attempt.id) ? attempt : undefined;
}

async function settle(deps: RetentionDeps, project: Project, attempt: Pick<Attempt, 'id'>, work: () => Promise<void>): Promise<void> {
  try {
    // The attempt's lock too: a diff, rebase or merge running in the worktree finishes first.
    await withAttemptLock(attempt.id, () => withRepoLock(project.repoPath, work));
  } catch (error) {
    deps.logger.warn({ err: error, projectId: project.id, attemptId: attempt.id }, 'retention could not remove something; the next pass tries again');
  }
}
