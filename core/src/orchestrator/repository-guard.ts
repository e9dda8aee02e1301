import { ForgeError } from '@forge-core/sdk';
import { repositoryPresent } from '../git/repository.ts';

export interface RepositoryOwner {
  /** The project whose repository it is. */
  id: string;
  repoPath: string;
}

/**
 * Refuses with FORGE_REPOSITORY_MISSING when the project's repository was deleted or moved
 * after the project was registered: without this, the first git command fails in whatever
 * way git fails in a missing directory, and the user gets a 500 instead of what to do.
 */
export function requireRepository(project: RepositoryOwner): void {
  if (repositoryPresent(project.repoPath)) return;
  throw new ForgeError(
    'FORGE_REPOSITORY_MISSING',
    `The repository of project ${project.id} is gone from ${project.repoPath} (deleted or moved). Restore it at that path, or delete the project (DELETE /api/v1/projects/${project.id}), which removes its tasks and worktrees and leaves the repository alone.`,
    { projectId: project.id, repoPath: project.repoPath },
  );
}

/**
 * Runs `work` on the project's repository. Should it fail, a repository that vanished while it
 * ran is reported as missing rather than as whatever the failing git command said.
 */
export async function withRepository<T>(project: RepositoryOwner, work: () => Promise<T>): Promise<T> {
  requireRepository(project);
  try {
    return await work();
  } catch (error) {
    requireRepository(project);
    throw error;
  }
}
