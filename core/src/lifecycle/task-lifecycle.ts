import { ForgeError } from '@forge-core/sdk';
import type { Emit, EventLog } from '../events/event-log.ts';
import { now } from '../store/clock.ts';
import type { Database } from '../store/database.ts';
import { newId } from '../store/ids.ts';
import { rowPatch } from '../store/row-patch.ts';
import { TASK_COLUMNS, toTask, type NewTask, type Task, type TaskChanges, type TaskRow, type TaskStatus } from '../store/task-store.ts';
import type { Tx } from '../store/transaction.ts';
import { LIVE_ATTEMPT_STATES } from '../store/attempt-store.ts';
import { TaskDependencyStore } from '../store/task-dependency-store.ts';
import { transitionRefused, type Transitions } from './transitions.ts';

/**
 * The task lifecycle (spec/decisions/0022). A task is worked on (`inprogress`) while an attempt
 * of it is queued or running, waits for review (`inreview`) once its last live attempt has
 * ended, and is closed by a merge (`done`) or by the user (`done`, `cancelled`). A closed task
 * takes no new work unless the request reopens it; the user may move it back to `todo`.
 *
 *   todo       → inprogress (an attempt starts), inreview, done, cancelled (the user)
 *   inprogress → inreview (its last live attempt ended), todo, done (a merge, the user), cancelled
 *   inreview   → inprogress (a new attempt or a follow-up), todo, done (a merge, the user), cancelled
 *   done       → todo (reopened by the user), inprogress (an attempt started with reopen), cancelled
 *   cancelled  → todo (reopened by the user), inprogress (an attempt started with reopen), done (a merge)
 */
export const TASK_TRANSITIONS: Transitions<TaskStatus> = {
  todo: ['inprogress', 'inreview', 'done', 'cancelled'],
  inprogress: ['todo', 'inreview', 'done', 'cancelled'],
  inreview: ['todo', 'inprogress', 'done', 'cancelled'],
  done: ['todo', 'inprogress', 'cancelled'],
  cancelled: ['todo', 'inprogress', 'done'],
};

export const CLOSED_TASK_STATUSES: readonly TaskStatus[] = ['done', 'cancelled'];

/** Refuses (409) a status move the table does not allow; staying where it is is no move. */
export function requireTaskMove(task: Pick<Task, 'id' | 'status'>, to: TaskStatus): void {
  if (to !== task.status && !TASK_TRANSITIONS[task.status].includes(to)) throw transitionRefused('task', task.id, TASK_TRANSITIONS, task.status, to);
}

/** Why a task's dependency chain stopped, and whose stop it is (the task's own id for its own). */
export interface BlockedReason {
  text: string;
  byTaskId: string;
}

/** The only writer of task rows: every status change is checked against the table and logged. */
export class TaskLifecycle {
  private readonly dependencies: TaskDependencyStore;

  constructor(
    private readonly db: Database,
    private readonly events: EventLog,
  ) {
    this.dependencies = new TaskDependencyStore(db);
  }

  /**
   * Creates the task, waiting on `dependsOn` (existing tasks, in any project; 422 naming those that
   * are not), in one transaction. A new task has no dependents, so its edges cannot close a cycle.
   */
  async create(input: NewTask, dependsOn: readonly string[] = []): Promise<Task> {
    const timestamp = now();
    const row: TaskRow = {
      id: newId(),
      project_id: input.projectId,
      title: input.title,
      description: input.description ?? null,
      status: input.status ?? 'todo',
      priority: input.priority ?? 0,
      parent_task_id: input.parentTaskId ?? null,
      auto_start: input.autoStart ?? false,
      blocked_reason: null,
      blocked_by_task_id: null,
      created_at: timestamp,
      updated_at: timestamp,
    };
    const waitsOn = [...new Set(dependsOn)];
    return this.events.transact((tx, emit) => {
      if (waitsOn.length > 0) {
        const found = new Set(this.dependencies.tasksIn(tx, waitsOn).map((dependency) => dependency.id));
        const missing = waitsOn.filter((id) => !found.has(id));
        if (missing.length > 0) {
          throw new ForgeError('FORGE_UNPROCESSABLE', `No task with id ${missing.join(', ')} to wait on; dependsOn takes ids of existing tasks.`, {
            field: 'dependsOn',
            missing,
          });
        }
      }
      tx.run(this.db('tasks').insert(row));
      const task = toTask(row);
      emit('task.created', task.id, task);
      for (const dependsOnTaskId of waitsOn) {
        this.dependencies.insert(tx, { taskId: task.id, dependsOnTaskId });
        emit('task.dependency_added', task.id, { taskId: task.id, dependsOnTaskId });
      }
      return task;
    });
  }

  /** Changes the task's fields; a status change must be one the table allows (409 otherwise). Unchanged fields are not written. */
  update(id: string, changes: TaskChanges): Promise<Task> {
    return this.events.transact((tx, emit) => {
      const task = this.read(tx, id);
      if (changes.status !== undefined) requireTaskMove(task, changes.status);
      // Only what differs is written: setting what the task already has is no change, and no event.
      const differing = Object.fromEntries(
        Object.entries(changes).filter(([key, value]) => value !== undefined && value !== task[key as keyof Task]),
      ) as TaskChanges;
      return Object.keys(differing).length === 0 ? task : this.write(tx, emit, task, differing);
    });
  }

  /** Deletes the task; its dependency edges go with it (the foreign keys cascade), each logged as removed. */
  async delete(id: string): Promise<Task> {
    return this.events.transact((tx, emit) => {
      const task = this.read(tx, id);
      for (const edge of this.dependencies.edgesTouching(tx, id)) emit('task.dependency_removed', edge.taskId, edge);
      tx.run(this.db('tasks').where({ id }).delete());
      emit('task.deleted', id, { id, projectId: task.projectId });
      return task;
    });
  }

  /**
   * In an attempt's transaction: an attempt of the task was queued (started or followed up), so
   * the task is being worked on. A closed task is refused unless the request reopens it.
   */
  workStarted(tx: Tx, emit: Emit, taskId: string, reopen: boolean): Task {
    const task = this.read(tx, taskId);
    if (CLOSED_TASK_STATUSES.includes(task.status) && !reopen) {
      throw new ForgeError(
        'FORGE_TASK_CLOSED',
        `The task ${taskId} is ${task.status}. Send "reopen": true with the request to move it back to inprogress and work on it again.`,
        { taskId, status: task.status },
      );
    }
    return task.status === 'inprogress' ? task : this.write(tx, emit, task, { status: 'inprogress' });
  }

  /** In an attempt's transaction: an attempt of the task ended; once none is live, the task waits for review. */
  workEnded(tx: Tx, emit: Emit, taskId: string): void {
    const task = tx.first<TaskRow>(this.db('tasks').where({ id: taskId }));
    if (!task || !['todo', 'inprogress'].includes(task.status)) return;
    const live = tx.first(this.db('attempts').where({ task_id: taskId }).whereIn('state', LIVE_ATTEMPT_STATES as string[]).select('id'));
    if (!live) this.write(tx, emit, toTask(task), { status: 'inreview' });
  }

  /**
   * In the caller's transaction: records why the task's dependency chain stopped, or that it has
   * not (null); a task.updated event when that changes, and the task as written. Nothing when
   * the task is gone or already records this.
   */
  recordBlockedReason(tx: Tx, emit: Emit, taskId: string, reason: BlockedReason | null): Task | undefined {
    const row = tx.first<TaskRow>(this.db('tasks').where({ id: taskId }));
    if (!row || (row.blocked_reason === (reason?.text ?? null) && row.blocked_by_task_id === (reason?.byTaskId ?? null))) return undefined;
    const patch = { blocked_reason: reason?.text ?? null, blocked_by_task_id: reason?.byTaskId ?? null, updated_at: now() };
    tx.run(this.db('tasks').where({ id: taskId }).update(patch));
    const updated: Task = { ...toTask(row), blockedReason: patch.blocked_reason, updatedAt: patch.updated_at };
    emit('task.updated', taskId, updated);
    return updated;
  }

  private read(tx: Tx, id: string): Task {
    const row = tx.first<TaskRow>(this.db('tasks').where({ id }));
    if (!row) throw new ForgeError('FORGE_NOT_FOUND', `No task with id ${id}.`, { taskId: id });
    return toTask(row);
  }

  private write(tx: Tx, emit: Emit, task: Task, changes: TaskChanges): Task {
    const patch = rowPatch(changes, TASK_COLUMNS);
    tx.run(this.db('tasks').where({ id: task.id }).update(patch));
    // Every caller passes only the fields it sets (update() drops the unchanged ones).
    const updated: Task = { ...task, ...changes, updatedAt: patch.updated_at as string };
    emit('task.updated', task.id, updated);
    return updated;
  }
}
