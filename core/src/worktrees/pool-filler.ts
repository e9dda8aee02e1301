import type { Logger } from 'pino';
import { repositoryPresent } from '../git/repository.ts';
import type { Stores } from '../store/stores.ts';
import type { WorktreePool } from './worktree-pool.ts';

export interface PoolFillerDeps {
  pool: WorktreePool;
  stores: Stores;
  logger: Logger;
  /** Whether the server is idle (no attempt preparing or running); filling stops as soon as it is not. */
  isIdle(): boolean;
}

// After a slot is taken, and while the server is busy, the filler looks again this much later.
const REFILL_DELAY_MS = 1_000;

/**
 * Keeps every project's warm pool full in idle time: ready worktrees of the project's default
 * branch, made one at a time and only while no attempt prepares or runs. One pass runs at a
 * time; a pass asked for during one runs after it.
 */
export class PoolFiller {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly deps: PoolFillerDeps) {}

  /** A pass a moment from now (after a slot was taken); the next request within that moment shares it. */
  schedule(delayMs = REFILL_DELAY_MS): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.fill();
    }, delayMs);
    this.timer.unref();
  }

  /** Fills every project's pool, as far as idle time allows; resolves when the pass is over. */
  fill(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pass()
      .then((outcome) => {
        // Attempts wait for worktrees: the rest is for the next quiet moment.
        if (outcome === 'interrupted') this.again = true;
      })
      .catch((error) => this.deps.logger.warn({ err: error }, 'filling the warm worktree pools failed; the next pass tries again'))
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          this.schedule();
        }
      });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass over the projects, whole or cut short because attempts wait for worktrees. */
  private async pass(): Promise<'done' | 'interrupted' | 'stopped'> {
    const { pool, stores, logger } = this.deps;
    const goOn = () => !this.stopped && this.deps.isIdle();
    for (const project of await stores.projects.all()) {
      if (this.stopped) return 'stopped';
      if (!goOn()) return 'interrupted';
      if (!repositoryPresent(project.repoPath)) continue;
      try {
        const made = await pool.fill(project.repoPath, project.id, project.defaultBranch, goOn);
        if (made > 0) logger.info({ projectId: project.id, made, base: project.defaultBranch }, 'prepared worktrees for the warm pool');
      } catch (error) {
        logger.warn({ err: error, projectId: project.id }, 'could not prepare a worktree for the warm pool of a project');
      }
    }
    if (this.stopped) return 'stopped';
    return goOn() ? 'done' : 'interrupted';
  }
}
