import { join } from 'node:path';
import { openDatabase } from '../../src/store/database.ts';
import { createStores, type Stores } from '../../src/store/stores.ts';
import { WorktreeManager } from '../../src/worktrees/worktree-manager.ts';
import { makeRepo } from './git-repo.ts';
import { tempDir } from './temp-dir.ts';

/** A real repository, worktree root and SQLite store holding one project and one task. */
export interface ReconcileFixture {
  dirs: ReturnType<typeof tempDir>;
  repo: string;
  manager: WorktreeManager;
  stores: Stores;
  projectId: string;
  taskId: string;
  close(): Promise<void>;
}

export async function reconcileFixture(prefix: string): Promise<ReconcileFixture> {
  const dirs = tempDir(prefix);
  const repo = makeRepo(join(dirs.path, 'repo'));
  const manager = new WorktreeManager(join(dirs.path, 'worktrees'));
  const stores = createStores(await openDatabase(join(dirs.path, 'forge.sqlite')));
  const projectId = (await stores.projects.create({ name: 'p', repoPath: repo, defaultBranch: 'main' })).id;
  const taskId = (await stores.tasks.create({ projectId, title: 't' })).id;
  return {
    dirs,
    repo,
    manager,
    stores,
    projectId,
    taskId,
    async close() {
      await stores.db.destroy();
      dirs.cleanup();
    },
  };
}
