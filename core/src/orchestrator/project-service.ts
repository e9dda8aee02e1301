import { isAbsolute } from 'node:path';
import { ForgeError } from '@forge-core/sdk';
import type { EventBus } from '../events/event-bus.ts';
import { branchExists, currentBranch, hasCommits, remoteUrl, repositoryTopLevel } from '../git/repository.ts';
import type { Page, PageRequest } from '../store/page.ts';
import type { NewProject, Project, ProjectChanges } from '../store/project-store.ts';
import type { Stores } from '../store/stores.ts';
import type { WorktreeManager } from '../worktrees/worktree-manager.ts';

export type CreateProjectInput = Omit<NewProject, 'defaultBranch'> & { defaultBranch?: string | undefined };

export class ProjectService {
  constructor(
    private readonly stores: Stores,
    private readonly bus: EventBus,
    private readonly worktrees: WorktreeManager,
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
    const defaultBranch = input.defaultBranch ?? (await currentBranch(repoPath));
    if (!defaultBranch) {
      throw new ForgeError('FORGE_VALIDATION_FAILED', `HEAD of ${repoPath} is detached; name the defaultBranch explicitly.`, {
        field: 'defaultBranch',
      });
    }
    await this.requireBranch(repoPath, defaultBranch, 'defaultBranch');
    const project = await this.stores.projects.create({
      ...input,
      repoPath,
      defaultBranch,
      remoteUrl: input.remoteUrl ?? (await remoteUrl(repoPath)),
    });
    this.bus.publish('project.created', project);
    return project;
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
    if (changes.defaultBranch) await this.requireBranch(project.repoPath, changes.defaultBranch, 'defaultBranch');
    const updated = (await this.stores.projects.update(id, changes))!;
    this.bus.publish('project.updated', updated);
    return updated;
  }

  /** Deletes the project with its tasks and attempts, and removes their worktrees and branches. */
  async delete(id: string, stopAttempt: (attemptId: string) => Promise<void>): Promise<void> {
    const project = await this.get(id);
    const attempts = await this.stores.attempts.listByProject(id);
    await Promise.all(attempts.map((a) => stopAttempt(a.id)));
    await this.stores.projects.delete(id);
    for (const attempt of attempts) {
      await this.worktrees.remove({
        repoPath: project.repoPath,
        path: attempt.worktreePath ?? this.worktrees.pathOf(project.id, attempt.id),
        branch: attempt.branch,
      });
    }
    this.bus.publish('project.deleted', { id });
  }

  async requireBranch(repoPath: string, branch: string, field: string): Promise<void> {
    if (!(await branchExists(repoPath, branch))) {
      throw new ForgeError('FORGE_BRANCH_NOT_FOUND', `Branch "${branch}" does not exist in ${repoPath}.`, { field, branch });
    }
  }
}
