import { ForgeError } from '@forge-core/sdk';
import type { Lifecycles } from '../lifecycle/lifecycles.ts';
import { OverlappingReads } from '../store/overlapping-reads.ts';
import type { JsonPage, PageRequest } from '../store/page.ts';
import type { Stores } from '../store/stores.ts';
import type { NewTask, Task, TaskChanges, TaskFilter, TaskStatus } from '../store/task-store.ts';
import { withAttemptLock } from '../worktrees/attempt-lock.ts';
import { CLOSED_TASK_STATUSES, requireTaskMove } from '../lifecycle/task-lifecycle.ts';
import { withTaskLock } from './task-lock.ts';
import type { WorktreeManager } from '../worktrees/worktree-manager.ts';

/** Stops an attempt if it is live; nothing when it has finished (AttemptService.stopIfLive). */
export type StopAttempt = (attemptId: string) => Promise<void>;

export class TaskService {
  private readonly listings = new OverlappingReads<JsonPage>();

  constructor(
    private readonly stores: Stores,
    private readonly lifecycles: Lifecycles,
    private readonly worktrees: WorktreeManager,
    private readonly stopAttempt: StopAttempt,
  ) {}

  /** Creates a task, waiting on the `dependsOn` tasks (their edges are written with it). */
  async create(input: NewTask, dependsOn: readonly string[] = []): Promise<Task> {
    if (input.parentTaskId) await this.requireParent(input.parentTaskId, input.projectId);
    let task: Task;
    try {
      // The foreign key checks the project: one statement instead of a read and a write, on
      // the busiest write path of the API.
      task = await this.lifecycles.tasks.create(input, dependsOn);
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      throw new ForgeError('FORGE_UNPROCESSABLE', `No project with id ${input.projectId}; create the project first.`, {
        field: 'projectId',
      });
    }
    return task;
  }

  /**
   * A page of tasks as JSON SQLite wrote (decision 0043); with dependency counts while that
   * feature is on. Clients polling the same page at once share its query (decision 0045).
   */
  listJson(filter: TaskFilter, page: PageRequest, options: { dependencyCounts: boolean }): Promise<JsonPage> {
    const statuses = filter.status ? [...new Set(filter.status)].sort() : null;
    const key = JSON.stringify([filter.projectId ?? null, statuses, page.cursor ?? null, page.limit, options.dependencyCounts]);
    return this.listings.read(key, () => this.stores.tasks.listJson(filter, page, options));
  }

  /** How many of the task's direct subtasks are in each status. */
  subtaskCounts(id: string): Promise<Record<TaskStatus, number>> {
    return this.stores.tasks.subtaskCounts(id);
  }

  async get(id: string): Promise<Task> {
    const task = await this.stores.tasks.get(id);
    if (!task) throw new ForgeError('FORGE_NOT_FOUND', `No task with id ${id}.`, { taskId: id });
    return task;
  }

  /**
   * Updates a task; a status change must be one the task lifecycle allows (409 otherwise), and
   * closing it (done or cancelled) stops its attempts and removes their worktrees first.
   */
  async update(id: string, changes: TaskChanges): Promise<Task> {
    // In turn with starts and follow-ups: none can slip in between stopping the attempts and closing.
    return withTaskLock(id, async () => {
      const task = await this.get(id);
      if (changes.parentTaskId) {
        if (changes.parentTaskId === id) {
          throw new ForgeError('FORGE_UNPROCESSABLE', 'A task cannot be its own parent.', { field: 'parentTaskId' });
        }
        await this.requireParent(changes.parentTaskId, task.projectId);
        await this.refuseParentLoop(id, changes.parentTaskId);
      }
      if (changes.status !== undefined && CLOSED_TASK_STATUSES.includes(changes.status) && changes.status !== task.status) {
        // Refused before anything is stopped when the table does not allow it.
        requireTaskMove(task, changes.status);
        await this.releaseWorktrees(task, { deleteBranches: false });
      }
      // Holding the task's lock, which deleting it takes too: it is still there.
      return this.lifecycles.tasks.update(id, changes);
    });
  }

  /** Deletes the task and its attempts, worktrees and branches. */
  async delete(id: string): Promise<void> {
    await withTaskLock(id, async () => {
      const task = await this.get(id);
      await this.releaseWorktrees(task, { deleteBranches: true });
      await this.lifecycles.tasks.delete(id);
    });
  }

  /**
   * Stops the task's attempts and removes their worktrees. A done task keeps its branches (a
   * follow-up can bring the worktree back) until the retention deletes them, keeping each last
   * commit under refs/forge/attempts/ (worktrees/retention.ts); a deleted task's go at once.
   */
  private async releaseWorktrees(task: Task, how: { deleteBranches: boolean }) {
    const project = await this.stores.projects.get(task.projectId);
    await Promise.all((await this.stores.attempts.listByTask(task.id)).map((a) => this.stopAttempt(a.id)));
    if (!project) return;
    // Read once they are stopped: one stopped while preparing has recorded its worktree since.
    for (const { id } of await this.stores.attempts.listByTask(task.id)) {
      // Not while a diff, rebase or merge of the attempt runs in its worktree or on its branch.
      await withAttemptLock(id, async () => {
        const attempt = await this.stores.attempts.get(id);
        if (!attempt || (!attempt.worktreePath && !how.deleteBranches)) return;
        // Into the project's warm pool when it has room (decision 0042): the next attempt starts sooner.
        await this.worktrees.release({
          repoPath: project.repoPath,
          projectId: project.id,
          path: attempt.worktreePath ?? this.worktrees.pathOf(project.id, attempt.id),
          branch: how.deleteBranches ? attempt.branch : null,
        });
        if (!how.deleteBranches) await this.lifecycles.attempts.releaseWorktree(attempt.id);
      });
    }
  }

  /** Refuses a parent that is the task's own subtask, at any depth: the tree would become a loop. */
  private async refuseParentLoop(id: string, parentTaskId: string): Promise<void> {
    const chain = [parentTaskId];
    for (let current = await this.stores.tasks.get(parentTaskId); current?.parentTaskId; current = await this.stores.tasks.get(current.parentTaskId)) {
      if (current.parentTaskId === id) {
        const downward = [id, ...[...chain].reverse()];
        throw new ForgeError('FORGE_UNPROCESSABLE', `Task ${parentTaskId} is a subtask of ${id} (${downward.join(' → ')}); it cannot become its parent.`, {
          field: 'parentTaskId',
          chain: downward,
        });
      }
      if (chain.includes(current.parentTaskId)) return; // a loop an older version let in; not this task's
      chain.push(current.parentTaskId);
    }
  }

  private async requireParent(parentTaskId: string, projectId: string): Promise<void> {
    const parent = await this.stores.tasks.get(parentTaskId);
    if (!parent || parent.projectId !== projectId) {
      throw new ForgeError('FORGE_UNPROCESSABLE', `No task ${parentTaskId} in this project to be the parent.`, { field: 'parentTaskId' });
    }
  }
}

function isForeignKeyViolation(error: unknown): boolean {
  return error instanceof Error && /FOREIGN KEY constraint failed/.test(error.message);
}
