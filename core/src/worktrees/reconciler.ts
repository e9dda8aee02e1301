import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { listBranches } from '../git/repository.ts';
import { listWorktrees } from '../git/worktree-list.ts';
import { ID_PATTERN } from '../store/ids.ts';
import type { Project } from '../store/project-store.ts';
import type { Stores } from '../store/stores.ts';
import type { WorktreeManager } from './worktree-manager.ts';

export interface ReconcileDeps {
  stores: Stores;
  worktrees: WorktreeManager;
  branchPrefix: string;
  logger: Logger;
  /** Attempts this server is running right now; their worktrees may be half-made. */
  isActive(attemptId: string): boolean;
}

export interface ReconcileReport {
  removedWorktrees: string[];
  removedDirectories: string[];
  deletedBranches: string[];
}

/**
 * Compares three views of the worktrees — git's own list, the directories under the worktree
 * root, and the attempts in the database — and removes whatever only git or only the disk
 * still knows about. A worktree lives at `<root>/<project>/<attempt>`, so the attempt it
 * belongs to is read from its path, never guessed; a `forge/` branch no attempt owns is deleted.
 */
export async function reconcileWorktrees(deps: ReconcileDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = { removedWorktrees: [], removedDirectories: [], deletedBranches: [] };
  const projects = await deps.stores.projects.all();
  const keptPaths = new Set<string>();
  for (const project of projects) {
    try {
      await reconcileProject(deps, project, keptPaths, report);
    } catch (error) {
      deps.logger.warn({ err: error, projectId: project.id }, 'worktree reconcile of a project failed');
    }
  }
  await removeStrayDirectories(deps, new Set(projects.map((p) => p.id)), keptPaths, report);
  return report;
}

async function reconcileProject(deps: ReconcileDeps, project: Project, keptPaths: Set<string>, report: ReconcileReport): Promise<void> {
  const projectRoot = join(deps.worktrees.root, project.id);
  const attempts = new Map((await deps.stores.attempts.listByProject(project.id)).map((a) => [a.id, a]));
  const entries = await listWorktrees(project.repoPath);
  const checkedOut = new Set<string>();
  for (const entry of entries) {
    if (entry.branch) checkedOut.add(entry.branch);
    if (dirname(entry.path) !== projectRoot) continue;
    const attempt = attempts.get(basename(entry.path));
    const active = attempt !== undefined && deps.isActive(attempt.id);
    const wanted = attempt && (active || attempt.state === 'queued' || attempt.worktreePath === entry.path);
    if (wanted && (await deps.worktrees.exists(entry.path))) {
      keptPaths.add(entry.path);
      continue;
    }
    // Either nobody owns it, or its directory was deleted by hand: git's entry is stale either
    // way (and, being locked, `git worktree prune` alone would never drop it). The branch of an
    // existing attempt stays; a follow-up rebuilds the worktree from it.
    await deps.worktrees.remove({ repoPath: project.repoPath, path: entry.path, branch: attempt ? null : entry.branch });
    if (attempt && !active && attempt.worktreePath === entry.path) await deps.stores.attempts.update(attempt.id, { worktreePath: null });
    if (!attempt && entry.branch) checkedOut.delete(entry.branch);
    report.removedWorktrees.push(entry.path);
  }
  const owned = await deps.stores.attempts.branchesOfProject(project.id);
  for (const branch of await listBranches(project.repoPath, deps.branchPrefix)) {
    if (owned.has(branch) || checkedOut.has(branch)) continue;
    await deps.worktrees.deleteBranch(project.repoPath, branch);
    report.deletedBranches.push(branch);
  }
  for (const name of await readdir(projectRoot).catch(() => [] as string[])) {
    const path = join(projectRoot, name);
    if (keptPaths.has(path) || (ID_PATTERN.test(name) && deps.isActive(name))) continue;
    await rm(path, { recursive: true, force: true });
    report.removedDirectories.push(path);
  }
}

/** Directories of projects that no longer exist. */
async function removeStrayDirectories(deps: ReconcileDeps, projectIds: Set<string>, keptPaths: Set<string>, report: ReconcileReport) {
  for (const name of await readdir(deps.worktrees.root).catch(() => [] as string[])) {
    if (projectIds.has(name)) continue;
    const path = join(deps.worktrees.root, name);
    if (keptPaths.has(path)) continue;
    await rm(path, { recursive: true, force: true });
    report.removedDirectories.push(path);
  }
}
