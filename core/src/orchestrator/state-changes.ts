import type { EventBus } from '../events/event-bus.ts';
import type { Attempt, AttemptChanges, AttemptState } from '../store/attempt-store.ts';
import { LIVE_ATTEMPT_STATES } from '../store/attempt-store.ts';
import type { Stores } from '../store/stores.ts';
import type { Task, TaskStatus } from '../store/task-store.ts';

/**
 * Every change of an attempt's state, and the task status that follows from it, goes through
 * here so the global event stream sees each one exactly once.
 */
export class StateChanges {
  constructor(
    private readonly stores: Stores,
    private readonly bus: EventBus,
  ) {}

  async attempt(id: string, from: readonly AttemptState[], changes: AttemptChanges): Promise<Attempt | undefined> {
    const attempt = await this.stores.attempts.transition(id, from, changes);
    if (attempt) this.bus.publish('attempt.updated', attempt);
    return attempt;
  }

  async claim(id: string, nodeId: string, leaseUntil: string): Promise<Attempt | undefined> {
    const attempt = await this.stores.attempts.claim(id, nodeId, leaseUntil);
    if (attempt) this.bus.publish('attempt.updated', attempt);
    return attempt;
  }

  /**
   * Moves the task to `status` (only from `onlyFrom`, when given). A caller that has just read
   * the task passes it, saving the read on the hot path of starting an attempt.
   */
  async taskStatus(taskId: string, status: TaskStatus, onlyFrom?: readonly TaskStatus[], known?: Task): Promise<void> {
    const task = known ?? (await this.stores.tasks.get(taskId));
    if (!task || task.status === status || (onlyFrom && !onlyFrom.includes(task.status))) return;
    const updatedAt = await this.stores.tasks.setStatus(taskId, status, task.status);
    if (updatedAt) this.bus.publish('task.updated', { ...task, status, updatedAt });
  }

  /** A task whose attempts have all finished waits for review. */
  async settleTask(taskId: string): Promise<void> {
    const attempts = await this.stores.attempts.listByTask(taskId);
    if (attempts.some((a) => LIVE_ATTEMPT_STATES.includes(a.state))) return;
    await this.taskStatus(taskId, 'inreview', ['todo', 'inprogress']);
  }
}
