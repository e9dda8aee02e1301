import type { Logger } from 'pino';
import { commitAll } from '../git/commit.ts';
import { killAttemptProcesses } from '../runtime/attempt-processes.ts';
import { killOrphanGroup } from '../runtime/orphan-process.ts';
import type { Attempt } from '../store/attempt-store.ts';
import type { Stores } from '../store/stores.ts';
import type { WorktreeManager } from '../worktrees/worktree-manager.ts';
import type { Lifecycles } from '../lifecycle/lifecycles.ts';

export interface RecoveryDeps {
  stores: Stores;
  worktrees: WorktreeManager;
  lifecycles: Lifecycles;
  nodeId: string;
  logger: Logger;
  /** Whether this server is running the attempt right now (then it is not stranded). */
  isActive(attemptId: string): boolean;
}

export interface RecoveryReport {
  requeued: string[];
  failed: string[];
  killedProcessGroups: number;
  /** Processes found by their attempt's marker (none where there is no /proc to search). */
  killedProcesses: number;
}

/**
 * Finishes what a dead server left behind on this node. An attempt still preparing its first
 * run goes back to the queue with a clean slate; one whose agent was running is failed as
 * interrupted, with the agent's work committed to its branch so a follow-up can carry on.
 * Leftover processes are killed first, so nothing writes to a worktree being settled: each
 * recorded process group whose leader is still the process we started, then every process that
 * carries a stranded attempt's marker (spec/decisions/0016).
 */
export async function recoverStrandedAttempts(deps: RecoveryDeps): Promise<RecoveryReport> {
  const { stores, lifecycles, logger } = deps;
  const stranded = (await stores.attempts.listInStates(['preparing', 'running'], deps.nodeId)).filter((a) => !deps.isActive(a.id));
  const report: RecoveryReport = { requeued: [], failed: [], killedProcessGroups: 0, killedProcesses: 0 };
  if (stranded.length === 0) return report;
  for (const proc of await stores.processes.listRunning(stranded.map((a) => a.id))) {
    if (proc.pid !== null && proc.pidStartTime !== null && (await killOrphanGroup(proc.pid, proc.pidStartTime))) {
      report.killedProcessGroups++;
    }
    await lifecycles.processes.finish(proc.id, { status: 'failed', exitCode: null, error: 'The server stopped while this process ran.' });
  }
  // One sweep of /proc for all of them, not one per attempt.
  report.killedProcesses += (await killAttemptProcesses(stranded.map((a) => a.id))) ?? 0;
  for (const attempt of stranded) {
    try {
      if (attempt.state === 'preparing') await requeue(deps, attempt);
      else await failInterrupted(deps, attempt);
      (attempt.state === 'preparing' ? report.requeued : report.failed).push(attempt.id);
    } catch (error) {
      logger.error({ err: error, attemptId: attempt.id }, 'could not recover attempt');
    }
  }
  return report;
}

async function requeue(deps: RecoveryDeps, attempt: Attempt): Promise<void> {
  // A first run never reached its agent: its half-made worktree goes, and it starts over.
  // A follow-up keeps the worktree it is continuing.
  const isFirstRun = attempt.followUpPrompt === null;
  if (isFirstRun) {
    const task = await deps.stores.tasks.get(attempt.taskId);
    const project = task && (await deps.stores.projects.get(task.projectId));
    // The path may be on disk without being recorded yet, if the server died right after git made it.
    const path = attempt.worktreePath ?? (project && deps.worktrees.pathOf(project.id, attempt.id));
    if (project && path) await deps.worktrees.remove({ repoPath: project.repoPath, path, branch: attempt.branch });
  }
  // The token read with the attempt: should another node have claimed it since, this is refused.
  await deps.lifecycles.attempts.move(attempt.id, 'queued', {
    onlyFrom: ['preparing'],
    fencingToken: attempt.fencingToken,
    changes: { nodeId: null, leaseUntil: null, startedAt: null, worktreeReadyAt: null, ...(isFirstRun ? { worktreePath: null } : {}) },
  });
}

async function failInterrupted(deps: RecoveryDeps, attempt: Attempt): Promise<void> {
  if (attempt.worktreePath && (await deps.worktrees.exists(attempt.worktreePath))) {
    await commitAll(attempt.worktreePath, `Work in progress, interrupted\n\nForge-Attempt: ${attempt.id}\n`).catch((error) =>
      deps.logger.warn({ err: error, attemptId: attempt.id }, 'could not commit an interrupted attempt'),
    );
  }
  await deps.lifecycles.attempts.move(attempt.id, 'failed', {
    onlyFrom: ['running'],
    fencingToken: attempt.fencingToken,
    changes: {
      error: { code: 'FORGE_ATTEMPT_INTERRUPTED', message: 'The server stopped while the agent was running; send a follow-up to continue.' },
      finishedAt: new Date().toISOString(),
      leaseUntil: null,
    },
  });
}
