import { ForgeError } from '@forge-core/sdk';
import { withTaskLock } from './task-lock.ts';
import type { FeatureFlags } from '../config/features.ts';
import type { EventLog } from '../events/event-log.ts';
import type { Stores } from '../store/stores.ts';
import type { DependencyCounts, DependencyEdge, LinkedTask } from '../store/task-dependency-store.ts';
import type { Tx } from '../store/transaction.ts';

/** A task's dependencies both ways, as GET /tasks/{id}/dependencies answers. */
export interface DependencyView {
  taskId: string;
  /** What the task waits on, each with its status. */
  dependsOn: LinkedTask[];
  /** The tasks that wait on it. */
  dependents: LinkedTask[];
  /** How many of `dependsOn` are not done: while any is, the task is blocked. */
  waitingOn: number;
  blockedReason: string | null;
}

/**
 * Edges between tasks (spec/decisions/0032): a task waits on others, in any project, and is
 * blocked until they are all done. An edge that would close a cycle is refused naming it. The
 * check and the insert run in one transaction, and SQLite runs one writer at a time, so two edges
 * added at once cannot close a cycle between them.
 */
export class DependencyService {
  constructor(
    private readonly stores: Stores,
    private readonly events: EventLog,
    private readonly features: FeatureFlags,
  ) {}

  /** `taskId` waits on `dependsOn` from now on; the same edge again changes nothing. */
  async add(taskId: string, dependsOn: string): Promise<DependencyView> {
    // In turn with starts of the task (attempt-service.ts), so none slips past the new edge.
    await withTaskLock(taskId, () => this.events.transact((tx, emit) => {
      requireTasks(this.stores, tx, [taskId, dependsOn]);
      const edge = { taskId, dependsOnTaskId: dependsOn };
      const back = taskId === dependsOn ? [taskId] : this.stores.taskDependencies.waitChain(tx, dependsOn, taskId);
      if (back) throw cycleRefused(this.stores, tx, [taskId, ...back]);
      if (this.stores.taskDependencies.insert(tx, edge)) emit('task.dependency_added', taskId, edge);
    }));
    return this.view(taskId);
  }

  /** `taskId` no longer waits on `dependsOn`; 404 when it did not. */
  async remove(taskId: string, dependsOn: string): Promise<void> {
    await this.events.transact((tx, emit) => {
      requireTasks(this.stores, tx, [taskId]);
      const edge: DependencyEdge = { taskId, dependsOnTaskId: dependsOn };
      if (!this.stores.taskDependencies.delete(tx, edge)) {
        throw new ForgeError('FORGE_NOT_FOUND', `Task ${taskId} does not wait on ${dependsOn}; GET /api/v1/tasks/${taskId}/dependencies lists what it waits on.`, {
          taskId,
          dependsOnTaskId: dependsOn,
        });
      }
      emit('task.dependency_removed', taskId, edge);
    });
  }

  async view(taskId: string): Promise<DependencyView> {
    const task = await this.stores.tasks.get(taskId);
    if (!task) throw notFound(taskId);
    const [dependsOn, dependents] = await Promise.all([this.stores.taskDependencies.dependenciesOf(taskId), this.stores.taskDependencies.dependentsOf(taskId)]);
    return { taskId, dependsOn, dependents, waitingOn: dependsOn.filter((t) => t.status !== 'done').length, blockedReason: task.blockedReason };
  }

  /** What the task waits on that is not done; nothing while the feature is off (edges made before stay, unenforced). */
  unfinishedDependencies(taskId: string): Promise<LinkedTask[]> {
    return this.features.enabled('dependencies') ? this.stores.taskDependencies.unfinishedDependenciesOf(taskId) : Promise.resolve([]);
  }

  /** The counts of these tasks (a page of them), in one query; null while the feature is off. */
  async countsFor(taskIds: readonly string[]): Promise<Map<string, DependencyCounts> | null> {
    return this.features.enabled('dependencies') ? this.stores.taskDependencies.countsFor(taskIds) : null;
  }
}

function notFound(taskId: string): ForgeError {
  return new ForgeError('FORGE_NOT_FOUND', `No task with id ${taskId}.`, { taskId });
}

function requireTasks(stores: Stores, tx: Tx, ids: readonly string[]): void {
  const found = new Set(stores.taskDependencies.tasksIn(tx, ids).map((row) => row.id));
  const missing = ids.find((id) => !found.has(id));
  if (missing) throw notFound(missing);
}

/** The 409 naming the cycle: `chain` is the new edge's task, then the tasks it would wait on round to itself. */
function cycleRefused(stores: Stores, tx: Tx, chain: readonly string[]): ForgeError {
  const titles = new Map(stores.taskDependencies.tasksIn(tx, chain).map((row) => [row.id, row.title]));
  const cycle = chain.map((id) => ({ id, title: titles.get(id)! }));
  const named = cycle.map((task) => `${task.id} (${task.title})`).join(' → ');
  return new ForgeError(
    'FORGE_DEPENDENCY_CYCLE',
    `This dependency would close a cycle, so no task in it could ever start: ${named}, where → reads "waits on". Remove one of these edges first, or leave this one out.`,
    { cycle },
  );
}
