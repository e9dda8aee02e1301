import { realpath, rm } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { ForgeError } from '@forge-core/sdk';
import type { EventLog } from '../events/event-log.ts';
import { deleteKeptHeads, keptHeadRef } from '../git/attempt-refs.ts';
import { gitCommonDir } from '../git/refs.ts';
import { branchExists, currentBranch, hasCommits, remoteUrl, repositoryPresent, repositoryTopLevel } from '../git/repository.ts';
import { withoutUrlCredentials } from '../runtime/redact-credentials.ts';
import type { Page, PageRequest } from '../store/page.ts';
import type { NewProject, Project, ProjectChanges } from '../store/project-store.ts';
import type { Stores } from '../store/stores.ts';
import { withAttemptLock } from '../worktrees/attempt-lock.ts';
import type { WorktreeManager } from '../worktrees/worktree-manager.ts';
import { requireRepository } from './repository-guard.ts';
import type { StopAttempt } from './task-service.ts';
import { withTaskLocks } from './task-lock.ts';

export type CreateProjectInput = Omit<NewProject, 'defaultBranch'> & { defaultBranch?: string | undefined };

/** What a project's defaultExecutor and defaultProfile are checked against when written. */
export interface DefaultChoices {
  /** The installed executors' ids. */
  executorIds(): readonly string[];
  /** Throws FORGE_PROFILE_NOT_FOUND when no profile has the name. */
  requireProfile(name: string): Promise<unknown>;
}

export class ProjectService {
  constructor(
    private readonly stores: Stores,
    private readonly events: EventLog,
    private readonly worktrees: WorktreeManager,
    private readonly stopAttempt: StopAttempt,
    /** The installed git providers' ids: a project naming another is refused when written, not when its pull request is opened. */
    private readonly gitProviderIds: () => readonly string[],
    /** What its autoStart tasks may start with. */
    private readonly defaultChoices: DefaultChoices,
  ) {}

  /** Registers an existing local repository; it must be a repository's top level with a commit. */
  async create(input: CreateProjectInput): Promise<Project> {
    if (!isAbsolute(input.repoPath)) {
      throw new ForgeError('FORGE_VALIDATION_FAILED', `repoPath must be an absolute path, received "${input.repoPath}".`, {
        field: 'repoPath',
      });
    }
    const repoPath = await repositoryTopLevel(input.repoPath);
    if (!repoPath) {
      throw new ForgeError(
        'FORGE_NOT_A_GIT_REPOSITORY',
        `${input.repoPath} is not the top level of a git repository; pass the folder that holds .git (run "git init" there first if needed).`,
        { field: 'repoPath' },
      );
    }
    if (!(await hasCommits(repoPath))) {
      throw new ForgeError('FORGE_REPOSITORY_EMPTY', `${repoPath} has no commits yet; commit something first, then add the project.`, {
        field: 'repoPath',
      });
    }
    const existing = await this.stores.projects.findByRepoPath(repoPath);
    if (existing) {
      throw new ForgeError('FORGE_CONFLICT', `${repoPath} is already the project "${existing.name}" (${existing.id}).`, {
        projectId: existing.id,
      });
    }
    await this.refuseSharedRepository(repoPath);
    const defaultBranch = input.defaultBranch ?? (await currentBranch(repoPath));
    if (!defaultBranch) {
      throw new ForgeError('FORGE_VALIDATION_FAILED', `HEAD of ${repoPath} is detached; name the defaultBranch explicitly.`, {
        field: 'defaultBranch',
      });
    }
    await this.requireBranch(repoPath, defaultBranch, 'defaultBranch');
    this.requireGitProvider(input.gitProvider);
    await this.requireDefaultChoice(input);
    const remote = keptRemoteUrl(input.remoteUrl ?? (await remoteUrl(repoPath)));
    return this.events.transact((tx, emit) => {
      const project = this.stores.projects.insert(tx, { ...input, repoPath, defaultBranch, remoteUrl: remote });
      emit('project.created', project.id, project);
      return project;
    });
  }

  list(page: PageRequest): Promise<Page<Project>> {
    return this.stores.projects.list(page);
  }

  async get(id: string): Promise<Project> {
    const project = await this.stores.projects.get(id);
    if (!project) throw new ForgeError('FORGE_NOT_FOUND', `No project with id ${id}.`, { projectId: id });
    return project;
  }

  async update(id: string, changes: ProjectChanges): Promise<Project> {
    const project = await this.get(id);
    this.requireGitProvider(changes.gitProvider);
    await this.requireDefaultChoice(changes);
    // The two are exclusive: setting one lets go of the other.
    if (changes.defaultExecutor && changes.defaultProfile === undefined) changes = { ...changes, defaultProfile: null };
    if (changes.defaultProfile && changes.defaultExecutor === undefined) changes = { ...changes, defaultExecutor: null };
    if (changes.defaultBranch) {
      requireRepository(project);
      await this.requireBranch(project.repoPath, changes.defaultBranch, 'defaultBranch');
    }
    return this.write(id, { ...changes, remoteUrl: keptRemoteUrl(changes.remoteUrl) });
  }

  /** What autoStart tasks start with must exist when it is set (422 for an executor, 404 for a profile, as a start request answers). */
  private async requireDefaultChoice({ defaultExecutor, defaultProfile }: Pick<ProjectChanges, 'defaultExecutor' | 'defaultProfile'>): Promise<void> {
    if (defaultExecutor && defaultProfile) {
      const problem = { path: 'defaultProfile', message: 'give defaultExecutor or defaultProfile, not both: autoStart tasks start with one of them' };
      throw new ForgeError('FORGE_VALIDATION_FAILED', `Invalid request payload: ${problem.message}`, { source: 'payload', problems: [problem] });
    }
    if (defaultExecutor) {
      const installed = this.defaultChoices.executorIds();
      if (!installed.includes(defaultExecutor)) {
        throw new ForgeError('FORGE_EXECUTOR_NOT_FOUND', `No executor "${defaultExecutor}" is installed; installed: ${installed.join(', ') || 'none'} (GET /api/v1/executors).`, {
          field: 'defaultExecutor',
          installed,
        });
      }
    }
    if (defaultProfile) await this.defaultChoices.requireProfile(defaultProfile);
  }

  private requireGitProvider(id: string | null | undefined): void {
    if (id === null || id === undefined) return;
    const known = this.gitProviderIds();
    if (!known.includes(id)) {
      throw new ForgeError('FORGE_VALIDATION_FAILED', `gitProvider "${id}" is not an installed git provider; installed: ${known.join(', ') || 'none'} (GET /api/v1/git-providers).`, {
        field: 'gitProvider',
      });
    }
  }

  /**
   * Deletes the project with its tasks and attempts, and removes their worktrees and branches
   * (only the worktree directories when the repository is gone). The rows go last: should a
   * removal fail, the error is answered with the project still there to delete again.
   */
  async delete(id: string): Promise<void> {
    // Every task's lock: no attempt can start on one of them meanwhile, to be deleted as it runs.
    const tasks = await this.stores.tasks.listByProject(id);
    await withTaskLocks(
      tasks.map((t) => t.id),
      () => this.deleteHoldingTaskLocks(id),
    );
  }

  private async deleteHoldingTaskLocks(id: string): Promise<void> {
    const project = await this.get(id);
    const attempts = await this.stores.attempts.listByProject(id);
    await Promise.all(attempts.map((a) => this.stopAttempt(a.id)));
    for (const attempt of attempts) {
      // Not while a diff, rebase or merge of the attempt runs in its worktree or on its branch.
      await withAttemptLock(attempt.id, () =>
        this.worktrees.remove({
          repoPath: project.repoPath,
          path: attempt.worktreePath ?? this.worktrees.pathOf(project.id, attempt.id),
          branch: attempt.branch,
        }),
      );
    }
    // The commits kept for closed tasks' deleted branches go too, where the repository still is.
    if (repositoryPresent(project.repoPath)) {
      await deleteKeptHeads(project.repoPath, attempts.map(keptHeadRef));
      await this.worktrees.pool.drain(project.repoPath, project.id);
    }
    await rm(join(this.worktrees.root, project.id), { recursive: true, force: true });
    await this.events.transact((tx, emit) => {
      // Edges inside the project go with its tasks; one to or from another project's task is news to that task.
      for (const edge of this.stores.taskDependencies.edgesAcrossProject(tx, id)) emit('task.dependency_removed', edge.taskId, edge);
      if (this.stores.projects.delete(tx, id)) emit('project.deleted', id, { id });
    });
    // A fill that read the project before its row went may have made a slot since the first drain.
    if (repositoryPresent(project.repoPath)) await this.worktrees.pool.drain(project.repoPath, project.id);
  }

  /**
   * Refuses a path that is another worktree of a project's repository: the housekeeping owns the
   * repository's `forge/` branches per project, and would delete the other project's attempt
   * branches as owned by no attempt of its own.
   */
  private async refuseSharedRepository(repoPath: string): Promise<void> {
    const common = await realpath(await gitCommonDir(repoPath));
    for (const project of await this.stores.projects.all()) {
      if (!repositoryPresent(project.repoPath)) continue;
      const theirs = await gitCommonDir(project.repoPath)
        .then((dir) => realpath(dir))
        .catch(() => null);
      if (theirs !== common) continue;
      throw new ForgeError(
        'FORGE_CONFLICT',
        `${repoPath} is a worktree of the repository of the project "${project.name}" (${project.id}, ${project.repoPath}); one repository can be one project only.`,
        { projectId: project.id },
      );
    }
  }

  /**
   * Takes credentials out of remote URLs stored before they were stripped on the way in; runs
   * at start, before the API answers. Returns how many projects it changed.
   */
  async scrubStoredRemoteUrls(): Promise<number> {
    let scrubbed = 0;
    for (const project of await this.stores.projects.all()) {
      const kept = keptRemoteUrl(project.remoteUrl);
      if (kept === project.remoteUrl) continue;
      await this.write(project.id, { remoteUrl: kept });
      scrubbed++;
    }
    return scrubbed;
  }

  private write(id: string, changes: ProjectChanges): Promise<Project> {
    return this.events.transact((tx, emit) => {
      const updated = this.stores.projects.update(tx, id, changes);
      if (!updated) throw new ForgeError('FORGE_NOT_FOUND', `No project with id ${id}.`, { projectId: id });
      emit('project.updated', id, updated);
      return updated;
    });
  }

  async requireBranch(repoPath: string, branch: string, field: string): Promise<void> {
    if (!(await branchExists(repoPath, branch))) {
      throw new ForgeError('FORGE_BRANCH_NOT_FOUND', `Branch "${branch}" does not exist in ${repoPath}.`, { field, branch });
    }
  }
}

/** The database, the API and the event log hold a remote URL without its credentials. */
function keptRemoteUrl<T extends string | null | undefined>(url: T): T {
  return (typeof url === 'string' ? withoutUrlCredentials(url) : url) as T;
}
