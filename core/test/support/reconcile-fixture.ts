import { join } from 'node:path';
import pino from 'pino';
import { EventLog } from '../../src/events/event-log.ts';
import { createLifecycles, type Lifecycles } from '../../src/lifecycle/lifecycles.ts';
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
  lifecycles: Lifecycles;
  projectId: string;
  taskId: string;
  close(): Promise<void>;
}

export async function reconcileFixture(prefix: string): Promise<ReconcileFixture> {
  const dirs = tempDir(prefix);
  const repo = makeRepo(join(dirs.path, 'repo'));
  const manager = new WorktreeManager(join(dirs.path, 'worktrees'));
  const db = await openDatabase(join(dirs.path, 'forge.sqlite'));
  const stores = createStores(db);
  const events = await EventLog.open(db, stores.events, { maxAgeMs: 86_400_000, maxCount: 100_000 }, pino({ level: 'silent' }));
  const lifecycles = createLifecycles(db, events);
  const projectId = (await events.transact((tx) => stores.projects.insert(tx, { name: 'p', repoPath: repo, defaultBranch: 'main' }))).id;
  const taskId = (await lifecycles.tasks.create({ projectId, title: 't' })).id;
  return {
    dirs,
    repo,
    manager,
    stores,
    lifecycles,
    projectId,
    taskId,
    async close() {
      await stores.db.destroy();
      dirs.cleanup();
    },
  };
}
