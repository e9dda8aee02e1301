import { ForgeError } from '@forge-core/sdk';
import type { EventBus } from '../events/event-bus.ts';
import type { Page, PageRequest } from '../store/page.ts';
import type { Stores } from '../store/stores.ts';
import type { NewTask, Task, TaskChanges, TaskFilter } from '../store/task-store.ts';
import { withAttemptLock } from '../worktrees/attempt-lock.ts';
import type { WorktreeManager } from '../worktrees/worktree-manager.ts';

export class TaskService {
  constructor(
    private readonly stores: Stores,
    private readonly bus: EventBus,
    private readonly worktrees: WorktreeManager,
  ) {}

  async create(input: NewTask): Promise<Task> {
    if (input.parentTaskId) await this.requireParent(input.parentTaskId, input.projectId);
    let task: Task;
    try {
      // The foreign key checks the project: one statement instead of a read and a write, on
      // the busiest write path of the API.
      task = await this.stores.tasks.create(input);
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      throw new ForgeError('FORGE_UNPROCESSABLE', `No project with id ${input.projectId}; create the project first.`, {
        field: 'projectId',
      });
    }
    this.bus.publish('task.created', task);
    return task;
  }

  list(filter: TaskFilter, page: PageRequest): Promise<Page<Task>> {
    return this.stores.tasks.list(filter, page);
  }

  async get(id: string): Promise<Task> {
    const task = await this.stores.tasks.get(id);
    if (!task) throw new ForgeError('FORGE_NOT_FOUND', `No task with id ${id}.`, { taskId: id });
    return task;
  }

  /** Updates a task; marking it done or cancelled stops its attempts and removes their worktrees. */
  async update(id: string, changes: TaskChanges, stopAttempt: (attemptId: string) => Promise<void>): Promise<Task> {
    const task = await this.get(id);
    if (changes.parentTaskId) {
      if (changes.parentTaskId === id) {
        throw new ForgeError('FORGE_UNPROCESSABLE', 'A task cannot be its own parent.', { field: 'parentTaskId' });
      }
      await this.requireParent(changes.parentTaskId, task.projectId);
    }
    const closing = (changes.status === 'done' || changes.status === 'cancelled') && changes.status !== task.status;
    if (closing) await this.releaseWorktrees(task, stopAttempt, { deleteBranches: false });
    const updated = await this.stores.tasks.update(id, changes);
    if (!updated) throw new ForgeError('FORGE_NOT_FOUND', `Task ${id} was deleted while it was being updated.`, { taskId: id });
    this.bus.publish('task.updated', updated);
    return updated;
  }

  /** Deletes the task and its attempts, worktrees and branches. */
  async delete(id: string, stopAttempt: (attemptId: string) => Promise<void>): Promise<void> {
    const task = await this.get(id);
    await this.releaseWorktrees(task, stopAttempt, { deleteBranches: true });
    await this.stores.tasks.delete(id);
    this.bus.publish('task.deleted', { id, projectId: task.projectId });
  }

  /**
   * Stops the task's attempts and removes their worktrees. A done task keeps its branches (a
   * follow-up can bring the worktree back) until the retention deletes them, keeping each last
   * commit under refs/forge/attempts/ (worktrees/retention.ts); a deleted task's go at once.
   */
  private async releaseWorktrees(task: Task, stopAttempt: (attemptId: string) => Promise<void>, how: { deleteBranches: boolean }) {
    const project = await this.stores.projects.get(task.projectId);
    await Promise.all((await this.stores.attempts.listByTask(task.id)).map((a) => stopAttempt(a.id)));
    if (!project) return;
    // Read once they are stopped: one stopped while preparing has recorded its worktree since.
    for (const { id } of await this.stores.attempts.listByTask(task.id)) {
      // Not while a diff, rebase or merge of the attempt runs in its worktree or on its branch.
      await withAttemptLock(id, async () => {
        const attempt = await this.stores.attempts.get(id);
        if (!attempt || (!attempt.worktreePath && !how.deleteBranches)) return;
        await this.worktrees.remove({
          repoPath: project.repoPath,
          path: attempt.worktreePath ?? this.worktrees.pathOf(project.id, attempt.id),
          branch: how.deleteBranches ? attempt.branch : null,
        });
        if (!how.deleteBranches) await this.stores.attempts.update(attempt.id, { worktreePath: null });
      });
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
