import { readdir, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { deleteKeptHeads, keptHeadsRoot, listKeptHeads } from '../git/attempt-refs.ts';
import { branchExists, deleteBranch, listBranches } from '../git/repository.ts';
import { listWorktrees, type WorktreeEntry } from '../git/worktree-list.ts';
import { FINISHED_ATTEMPT_STATES, LIVE_ATTEMPT_STATES, type Attempt } from '../store/attempt-store.ts';
import { ID_PATTERN } from '../store/ids.ts';
import type { Project } from '../store/project-store.ts';
import type { AttemptLifecycle } from '../lifecycle/attempt-lifecycle.ts';
import type { Stores } from '../store/stores.ts';
import { withRepoLock } from './repo-lock.ts';
import type { WorktreeManager } from './worktree-manager.ts';
import { removeWorktreeLocked } from './remove-worktree.ts';
import { POOL_DIR_NAME } from './worktree-pool.ts';

export interface ReconcileDeps {
  stores: Stores;
  /** Writes the attempt's worktree (released), with its event. */
  attempts: AttemptLifecycle;
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
  /** Attempts whose kept commit (refs/forge/attempts/<id>) was dropped because the attempt is gone. */
  deletedKeptHeads: string[];
  /**
   * Worktrees finished attempts recorded that are gone from disk (removed by hand, or the server
   * died between removing a closing task's worktree and recording it): no longer recorded.
   */
  forgottenWorktrees: string[];
}

/** What is known about one path under a project's worktree folder at one moment. */
interface PathFacts {
  path: string;
  /** git's entry for it, if git lists it as a worktree. */
  registration: WorktreeEntry | undefined;
  directory: boolean;
  /** The attempt named by the path's last part, if one exists. */
  attempt: Attempt | undefined;
  /** Whether this server is running the attempt the path is named after. */
  active: boolean;
}

type Verdict = { remove: false } | { remove: true; reason: string; forget: boolean };

/**
 * Compares three views of the worktrees — git's own list, the directories under the worktree
 * root, and the attempts in the database — and removes whatever only git or only the disk
 * still knows about. A worktree lives at `<root>/<project>/<attempt>`, so the attempt it
 * belongs to is read from its path, never guessed; a `forge/` branch no attempt owns is deleted.
 *
 * The listings only nominate candidates: attempts are created, and finish, while a pass runs.
 * Each removal is decided again just before it is made, holding the repository lock that
 * worktree creation holds (so no creation interleaves), on the attempt row and the running set
 * read at that moment. What an attempt in the database owns then is never removed.
 */
export async function reconcileWorktrees(deps: ReconcileDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = { removedWorktrees: [], removedDirectories: [], deletedBranches: [], deletedKeptHeads: [], forgottenWorktrees: [] };
  const projects = await deps.stores.projects.all();
  for (const project of projects) {
    try {
      await reconcileProject(deps, project, report);
    } catch (error) {
      deps.logger.warn({ err: error, projectId: project.id }, 'worktree reconcile of a project failed');
    }
  }
  await removeStrayProjectDirectories(deps, new Set(projects.map((p) => p.id)), report);
  return report;
}

async function reconcileProject(deps: ReconcileDeps, project: Project, report: ReconcileReport): Promise<void> {
  const repo = project.repoPath;
  const projectRoot = join(deps.worktrees.root, project.id);
  const attempts = new Map((await deps.stores.attempts.listByProject(project.id)).map((a) => [a.id, a]));
  const registered = await listWorktrees(repo);
  const paths = new Set(registered.filter((e) => dirname(e.path) === projectRoot).map((e) => e.path));
  for (const name of await readdir(projectRoot).catch(() => [] as string[])) if (name !== POOL_DIR_NAME) paths.add(join(projectRoot, name));

  for (const path of paths) {
    const listed = judgePath(await pathFacts(deps, path, registered, (id) => attempts.get(id)));
    if (!listed.remove) continue;
    await settle(deps, project, async () => {
      const now = await pathFacts(deps, path, await listWorktrees(repo), (id) => deps.stores.attempts.get(id));
      const verdict = judgePath(now);
      if (!verdict.remove) return;
      await removeWorktreeLocked(repo, path, null);
      if (verdict.forget && now.attempt) await deps.attempts.releaseWorktree(now.attempt.id, path);
      (now.registration ? report.removedWorktrees : report.removedDirectories).push(path);
      deps.logger.info({ projectId: project.id, attemptId: now.attempt?.id, path, reason: verdict.reason }, 'reconcile removed a worktree');
    });
  }

  await reconcilePool(deps, project, registered, report);

  for (const attempt of attempts.values()) {
    const path = attempt.worktreePath;
    if (!path || !FINISHED_ATTEMPT_STATES.includes(attempt.state) || deps.isActive(attempt.id) || (await deps.worktrees.exists(path))) continue;
    if (await deps.attempts.releaseWorktree(attempt.id, path)) {
      report.forgottenWorktrees.push(path);
      deps.logger.info({ projectId: project.id, attemptId: attempt.id, path }, 'reconcile forgot a worktree that is gone from disk');
    }
  }

  // After the worktrees: a branch is free only once no worktree has it checked out.
  const listedBranches = new Set([...attempts.values()].map((a) => a.branch));
  for (const branch of await listBranches(repo, deps.branchPrefix)) {
    if (listedBranches.has(branch)) continue;
    await settle(deps, project, async () => {
      if (await deps.stores.attempts.branchIsOwned(project.id, branch)) return;
      const checkout = (await listWorktrees(repo)).find((e) => e.branch === branch);
      if (checkout || !(await branchExists(repo, branch))) return;
      await deleteBranch(repo, branch);
      report.deletedBranches.push(branch);
      deps.logger.info({ projectId: project.id, branch, reason: 'no attempt has this branch' }, 'reconcile deleted a branch');
    });
  }

  for (const attemptId of await listKeptHeads(repo, deps.branchPrefix)) {
    if (attempts.has(attemptId)) continue;
    await settle(deps, project, async () => {
      if (await deps.stores.attempts.get(attemptId)) return;
      await deleteKeptHeads(repo, [`${keptHeadsRoot(deps.branchPrefix)}${attemptId}`]);
      report.deletedKeptHeads.push(attemptId);
      deps.logger.info({ projectId: project.id, attemptId, reason: 'its attempt was deleted' }, 'reconcile dropped the kept commit of an attempt');
    });
  }
}

/**
 * Keeps the project's ready pooled worktrees, as many as the pool's size, and removes the rest:
 * a slot whose directory or registration a crash took, a half-made one no fill is making any more,
 * one over the size (the size was lowered), every one when the pool is off. No attempt owns a
 * slot, so no attempt is consulted.
 */
async function reconcilePool(deps: ReconcileDeps, project: Project, registered: WorktreeEntry[], report: ReconcileReport): Promise<void> {
  const pool = deps.worktrees.pool;
  const size = await pool.sizeOf(project.id);
  const poolDir = pool.dirOf(project.id);
  const paths = new Set(registered.filter((e) => dirname(e.path) === poolDir).map((e) => e.path));
  for (const name of await readdir(poolDir).catch(() => [] as string[])) paths.add(join(poolDir, name));
  let kept = 0;
  for (const path of [...paths].sort()) {
    if (pool.isFilling(path)) continue;
    await settle(deps, project, async () => {
      const registration = (await listWorktrees(project.repoPath)).find((e) => e.path === path);
      const directory = await deps.worktrees.exists(path);
      if (!registration && !directory) return; // taken by an attempt meanwhile
      const slot = (await pool.slots(project.id)).includes(path);
      if (slot && registration && directory && kept < size) {
        kept++;
        return;
      }
      await removeWorktreeLocked(project.repoPath, path, null);
      (registration ? report.removedWorktrees : report.removedDirectories).push(path);
      const reason = !slot
        ? 'it is not a ready slot (a fill that did not finish)'
        : !registration
          ? 'git no longer knows it as a worktree'
          : !directory
            ? 'its directory is gone'
            : size > 0
              ? 'the warm pool is over its size'
              : 'the warm pool is off';
      deps.logger.info({ projectId: project.id, path, reason }, 'reconcile removed a pooled worktree');
    });
  }
  // Only once empty: a slot given back meanwhile keeps its folder.
  if (size === 0) await settle(deps, project, () => rmdir(poolDir).catch(() => undefined));
}

/**
 * Whether a path under the project's folder goes. An attempt that exists owns its path while
 * it is queued, preparing, running or being run here, or while its row records the path.
 */
function judgePath(facts: PathFacts): Verdict {
  const { attempt, path } = facts;
  if (!attempt && !facts.active) {
    const reason = ID_PATTERN.test(basename(path)) ? 'no attempt owns it' : "it is not an attempt's worktree";
    return { remove: true, reason, forget: false };
  }
  const inUse = facts.active || (attempt !== undefined && LIVE_ATTEMPT_STATES.includes(attempt.state));
  const recorded = attempt?.worktreePath === path;
  if (!facts.directory) {
    // git's entry outlived a directory deleted by hand (being locked, `git worktree prune` alone
    // never drops it). The branch stays: a follow-up rebuilds the worktree from it.
    return facts.registration ? { remove: true, reason: 'its directory is gone', forget: recorded && !inUse } : { remove: false };
  }
  if (inUse) return { remove: false };
  if (!recorded) return { remove: true, reason: 'its attempt is finished and no longer uses it', forget: false };
  if (!facts.registration) return { remove: true, reason: 'git no longer knows it as a worktree', forget: true };
  return { remove: false };
}

async function pathFacts(
  deps: ReconcileDeps,
  path: string,
  registered: WorktreeEntry[],
  attemptOf: (id: string) => Attempt | undefined | Promise<Attempt | undefined>,
): Promise<PathFacts> {
  const name = basename(path);
  const isAttemptId = ID_PATTERN.test(name);
  return {
    path,
    registration: registered.find((e) => e.path === path),
    directory: await deps.worktrees.exists(path),
    attempt: isAttemptId ? await attemptOf(name) : undefined,
    active: isAttemptId && deps.isActive(name),
  };
}

/** Runs one removal decision under the repository lock; a failure is logged and the pass goes on. */
async function settle(deps: ReconcileDeps, project: Project, decide: () => Promise<void>): Promise<void> {
  try {
    await withRepoLock(project.repoPath, decide);
  } catch (error) {
    deps.logger.warn({ err: error, projectId: project.id }, 'reconcile could not remove something; the next pass tries again');
  }
}

/** Directories of projects that no longer exist. */
async function removeStrayProjectDirectories(deps: ReconcileDeps, projectIds: Set<string>, report: ReconcileReport): Promise<void> {
  for (const name of await readdir(deps.worktrees.root).catch(() => [] as string[])) {
    if (projectIds.has(name)) continue;
    // Read again: a project created since the listing above has a folder here too.
    if (ID_PATTERN.test(name) && (await deps.stores.projects.get(name))) continue;
    const path = join(deps.worktrees.root, name);
    await rm(path, { recursive: true, force: true });
    report.removedDirectories.push(path);
    deps.logger.info({ path, reason: 'its project no longer exists' }, 'reconcile removed a directory');
  }
}
