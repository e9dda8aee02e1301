import type { Emit, EventLog } from '../events/event-log.ts';
import type { BlockedReason, TaskLifecycle } from '../lifecycle/task-lifecycle.ts';
import type { Stores } from '../store/stores.ts';
import type { TaskRow } from '../store/task-store.ts';
import type { Tx } from '../store/transaction.ts';

/** A stop found upstream: the dependency that stopped, how, and how many waits away. */
interface FoundStop {
  dependency: TaskRow;
  how: string;
  depth: number;
}

/** The task.updated events a refresh wrote, by task id and updatedAt: a reader can tell them from other changes. */
export type Written = ReadonlySet<string>;
export const writtenKey = (taskId: string, updatedAt: string) => `${taskId}@${updatedAt}`;

/**
 * Why a dependency chain stopped, kept on each task it stops (spec/decisions/0032). A dependency
 * stops the chain when it is cancelled, when its last attempt ended failed or cancelled and none
 * is live, or when it recorded its own stop (its merge failed, or it could not be started by
 * itself). Every task that has not started and waits on it, directly or through other tasks that
 * have not started, records the nearest such stop. The reasons are derived from the rows, never
 * patched by hand: `refresh` recomputes them for the tasks a change touched and all that wait on
 * those, so a dependency that recovers (worked on again, or done) clears them by the same rule
 * that set them.
 */
export class DependencyChain {
  constructor(
    private readonly stores: Stores,
    private readonly events: EventLog,
    private readonly tasks: TaskLifecycle,
  ) {}

  /** Recomputes the stored reasons of these tasks and of every task waiting on them, in one transaction. */
  refresh(taskIds: readonly string[]): Promise<Written> {
    if (taskIds.length === 0) return Promise.resolve(new Set());
    return this.events.transact((tx, emit) => {
      const pass = new Pass(this.stores, tx);
      const written = new Set<string>();
      for (const id of this.stores.taskDependencies.withDownstream(tx, taskIds)) this.record(tx, emit, id, pass.reasonFor(id), written);
      return written;
    });
  }

  /** Records the task's own stop (`text` says what happened and what a person can do), and what it means downstream. */
  stopAt(taskId: string, text: string): Promise<Written> {
    return this.events.transact((tx, emit) => {
      const written = new Set<string>();
      this.record(tx, emit, taskId, { text, byTaskId: taskId }, written);
      const pass = new Pass(this.stores, tx);
      for (const id of this.stores.taskDependencies.withDownstream(tx, [taskId])) if (id !== taskId) this.record(tx, emit, id, pass.reasonFor(id), written);
      return written;
    });
  }

  private record(tx: Tx, emit: Emit, taskId: string, reason: BlockedReason | null, written: Set<string>): void {
    const updated = this.tasks.recordBlockedReason(tx, emit, taskId, reason);
    if (updated) written.add(writtenKey(updated.id, updated.updatedAt));
  }
}

/**
 * One recompute, inside one transaction: each task's nearest stop and each dependency's own stop
 * are worked out once, so a long chain costs its length, not its length squared.
 */
class Pass {
  private readonly nearest = new Map<string, FoundStop | null>();
  private readonly stops = new Map<string, string | null>();

  constructor(
    private readonly stores: Stores,
    private readonly tx: Tx,
  ) {}

  /**
   * A task that is not closed keeps its own stop until it is worked on again; one that has not
   * started takes the nearest stop upstream before that.
   */
  reasonFor(taskId: string): BlockedReason | null {
    const facts = this.stores.taskDependencies.chainFacts(this.tx, taskId);
    if (!facts || facts.task.status === 'done' || facts.task.status === 'cancelled') return null;
    const { task } = facts;
    const upstream = task.status === 'todo' ? this.nearestStop(taskId) : null;
    if (upstream) {
      const { dependency, how, depth } = upstream;
      return { text: `${depth === 0 ? '' : 'upstream '}dependency ${dependency.id} (${dependency.title}) ${how}`, byTaskId: dependency.id };
    }
    const own = task.blocked_by_task_id === taskId && task.blocked_reason !== null && !facts.live;
    return own ? { text: task.blocked_reason!, byTaskId: taskId } : null;
  }

  /** Up the waits, through dependencies that have not started: the stopped one fewest waits away (the first in id order among equals). */
  private nearestStop(taskId: string): FoundStop | null {
    const known = this.nearest.get(taskId);
    if (known !== undefined) return known;
    let best: FoundStop | null = null;
    for (const dependency of this.stores.taskDependencies.dependenciesIn(this.tx, taskId)) {
      if (dependency.status === 'done') continue;
      const how = this.stopOf(dependency);
      const above = how === null && dependency.status === 'todo' ? this.nearestStop(dependency.id) : null;
      const found = how !== null ? { dependency, how, depth: 0 } : above && { ...above, depth: above.depth + 1 };
      if (found && (!best || found.depth < best.depth)) best = found;
    }
    this.nearest.set(taskId, best);
    return best;
  }

  /** How a dependency that is not done stopped its chain, as words after its name; null when it has not. */
  private stopOf(dependency: TaskRow): string | null {
    const known = this.stops.get(dependency.id);
    if (known !== undefined) return known;
    const how = this.stopOfUncached(dependency);
    this.stops.set(dependency.id, how);
    return how;
  }

  private stopOfUncached(dependency: TaskRow): string | null {
    if (dependency.status === 'cancelled') return 'was cancelled';
    const facts = this.stores.taskDependencies.chainFacts(this.tx, dependency.id)!;
    if (facts.live) return null;
    if (dependency.blocked_by_task_id === dependency.id && dependency.blocked_reason !== null) return `is stopped: ${dependency.blocked_reason}`;
    const last = facts.lastFinished;
    if (last?.state === 'failed') return `failed: attempt ${last.id} failed: ${last.errorCode ?? 'no error code'}`;
    if (last?.state === 'cancelled') return `failed: attempt ${last.id} was cancelled`;
    return null;
  }
}
