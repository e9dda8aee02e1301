import { ForgeError } from '@forge-core/sdk';
import type { Logger } from 'pino';
import type { EventLog, ForgeEvent } from '../events/event-log.ts';
import type { Attempt } from '../store/attempt-store.ts';
import { LIVE_ATTEMPT_STATES } from '../store/attempt-store.ts';
import type { Project } from '../store/project-store.ts';
import type { Stores } from '../store/stores.ts';
import type { Task } from '../store/task-store.ts';
import type { AttemptService } from './attempt-service.ts';
import type { BranchService } from './branch-service.ts';
import { writtenKey, type DependencyChain } from './dependency-chain.ts';
import type { TaskService } from './task-service.ts';

export interface AutoStartDeps {
  stores: Stores;
  events: EventLog;
  chain: DependencyChain;
  attempts: AttemptService;
  branches: BranchService;
  tasks: TaskService;
  logger: Logger;
}

/** Errors that mean the task changed since it looked ready: its next change brings it back here. */
const NOT_READY_ANY_MORE = ['FORGE_TASK_BLOCKED', 'FORGE_TASK_CLOSED', 'FORGE_NOT_FOUND'];
// Runs already acted on, kept to tell an attempt's success from later writes of the same finished row;
// and the reasons this reader wrote itself, whose events need no reaction (the refresh that wrote
// them covered everything downstream). Bounded: an entry outlives its event only by a moment.
const REMEMBERED = 10_000;

/**
 * What task dependencies set off (spec/decisions/0032), read from the event log as it commits,
 * never by polling: an autoStart task starts its first attempt once everything it waits on is
 * done (with its project's default executor or profile), an autoStart task's succeeded attempt
 * is merged when its project merges by itself (which closes the task and sets off its
 * dependents), and each change that can stop or free a chain recomputes the reasons stored on
 * the tasks waiting (dependency-chain.ts). Reactions run one at a time, in log order; each reads
 * the rows afresh, so a late or repeated event does no harm. `sweep` settles at start what a
 * crash between a change and its reaction left.
 */
export class AutoStarter {
  private tail: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  private readonly actedOn = new Set<string>();
  private readonly ownWrites = new Set<string>();

  constructor(private readonly deps: AutoStartDeps) {}

  /** Follows the log from now on. */
  start(): void {
    this.unsubscribe = this.deps.events.subscribe((event) => this.react(event));
  }

  /** Recomputes every stored reason, merges what succeeded unmerged and starts what is ready: once, after recovery at start. */
  sweep(): Promise<void> {
    return this.enqueue('startup sweep', async () => {
      const { taskDependencies } = this.deps.stores;
      await this.refresh(await taskDependencies.inAnyChain());
      for (const { attemptId } of await taskDependencies.unmergedSuccesses()) {
        const attempt = await this.deps.stores.attempts.get(attemptId);
        if (attempt) await this.mergeIfAutomatic(attempt);
      }
      await this.startReady({});
    });
  }

  /** Stops following the log; resolves once the reaction under way has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.tail;
  }

  private react(event: ForgeEvent): void {
    switch (event.type) {
      case 'task.created': {
        const task = event.data as Task;
        if (task.autoStart) void this.enqueue(event.type, () => this.startReady({ taskIds: [task.id] }));
        return;
      }
      case 'task.updated': {
        const task = event.data as Task;
        void this.enqueue(event.type, async () => {
          if (this.ownWrites.delete(writtenKey(task.id, task.updatedAt))) return;
          await this.refresh([task.id]);
          const dependents = task.status === 'done' ? (await this.deps.stores.taskDependencies.dependentsOf(task.id)).map((t) => t.id) : [];
          await this.startReady({ taskIds: task.autoStart ? [task.id, ...dependents] : dependents });
        });
        return;
      }
      case 'task.dependency_added':
        void this.enqueue(event.type, () => this.refresh([event.subject]));
        return;
      case 'task.dependency_removed':
        void this.enqueue(event.type, async () => {
          await this.refresh([event.subject]);
          await this.startReady({ taskIds: [event.subject] });
        });
        return;
      case 'attempt.created':
      case 'attempt.updated': {
        const attempt = event.data as Attempt;
        // A run's own steps (preparing, running) change nothing here; being queued (worked on again) or ending does.
        if (attempt.state === 'preparing' || attempt.state === 'running') return;
        void this.enqueue(event.type, async () => {
          await this.refresh([attempt.taskId]);
          if (attempt.state === 'succeeded') await this.mergeIfAutomatic(attempt);
        });
        return;
      }
      case 'executor_profile.updated':
        // A profile a project starts its tasks with may exist again, or work now.
        void this.enqueue(event.type, () => this.startReady({}));
        return;
      case 'project.updated': {
        const project = event.data as Project;
        // A default set at last (or changed) lets the project's ready tasks start.
        if (project.defaultExecutor || project.defaultProfile) void this.enqueue(event.type, () => this.startReady({ projectId: project.id }));
        return;
      }
      case 'project.deleted':
        // Its tasks went without their own events, and with them edges to other projects' tasks.
        void this.enqueue(event.type, async () => {
          await this.refresh(await this.deps.stores.taskDependencies.inAnyChain());
          await this.startReady({});
        });
        return;
      default:
        return;
    }
  }

  private enqueue(what: string, reaction: () => Promise<void>): Promise<void> {
    if (this.stopped) return this.tail;
    this.tail = this.tail
      .then(() => (this.stopped ? undefined : reaction()))
      .catch((error: unknown) => this.deps.logger.error({ err: error, reaction: what }, 'a task dependency reaction failed'));
    return this.tail;
  }

  private async startReady(filter: { taskIds?: readonly string[]; projectId?: string }): Promise<void> {
    if (filter.taskIds?.length === 0) return;
    for (const taskId of await this.deps.stores.taskDependencies.readyToStart(filter)) await this.startFirstAttempt(taskId);
  }

  private async startFirstAttempt(taskId: string): Promise<void> {
    const task = await this.deps.stores.tasks.get(taskId);
    const project = task && (await this.deps.stores.projects.get(task.projectId));
    if (!task || !project) return;
    const choice = project.defaultProfile ? { profile: project.defaultProfile } : project.defaultExecutor ? { executor: project.defaultExecutor } : null;
    if (!choice) {
      this.remember(this.ownWrites, await this.deps.chain.stopAt(taskId, `project ${project.id} (${project.name}) has no defaultExecutor or defaultProfile; set one, or start it by hand`));
      return;
    }
    try {
      const attempt = await this.deps.attempts.startFirst(taskId, choice);
      if (attempt) this.deps.logger.info({ taskId, attemptId: attempt.id, ...choice }, 'started an autoStart task whose dependencies are done');
    } catch (error) {
      if (!(error instanceof ForgeError)) throw error;
      if (NOT_READY_ANY_MORE.includes(error.code)) return;
      const how = 'profile' in choice ? `profile "${choice.profile}"` : `executor "${choice.executor}"`;
      this.remember(this.ownWrites, await this.deps.chain.stopAt(taskId, `it could not be started with the project's ${how}: ${error.code}: ${error.message}`));
    }
  }

  /**
   * Merges a succeeded attempt of an autoStart task whose project merges by itself, as POST
   * /attempts/{id}/merge does: that closes the task, which starts what waits on it. Nothing to
   * merge (the agent changed nothing) closes the task all the same; a merge that fails stops the
   * chain with its reason. Not while another attempt of the task is live: closing the task would
   * stop it.
   */
  private async mergeIfAutomatic(seen: Attempt): Promise<void> {
    const run = `${seen.id}@${seen.finishedAt}`;
    if (seen.mergeCommit || this.actedOn.has(run)) return;
    const attempt = await this.deps.stores.attempts.get(seen.id);
    if (!attempt || attempt.state !== 'succeeded' || attempt.mergeCommit) return;
    const task = await this.deps.stores.tasks.get(attempt.taskId);
    const project = task && (await this.deps.stores.projects.get(task.projectId));
    if (!task || !project || !task.autoStart || !project.autoMerge || task.status === 'done' || task.status === 'cancelled') return;
    const others = await this.deps.stores.attempts.listByTask(task.id);
    if (others.some((other) => LIVE_ATTEMPT_STATES.includes(other.state))) return;
    this.remember(this.actedOn, [run]);
    try {
      await this.deps.branches.merge(attempt.id);
      this.deps.logger.info({ taskId: task.id, attemptId: attempt.id }, "merged an autoStart task's attempt (the project merges by itself)");
    } catch (error) {
      if (error instanceof ForgeError && error.code === 'FORGE_ALREADY_MERGED') return;
      if (error instanceof ForgeError && error.code === 'FORGE_NOTHING_TO_MERGE') {
        await this.deps.tasks.update(task.id, { status: 'done' });
        return;
      }
      if (!(error instanceof ForgeError)) this.deps.logger.error({ err: error, attemptId: attempt.id }, 'an automatic merge failed unexpectedly');
      const why = error instanceof ForgeError ? `${error.code}: ${error.message}` : (error as Error).message;
      this.remember(this.ownWrites, await this.deps.chain.stopAt(task.id, `merging attempt ${attempt.id} into ${attempt.baseBranch} failed: ${why}`));
    }
  }

  private async refresh(taskIds: readonly string[]): Promise<void> {
    this.remember(this.ownWrites, await this.deps.chain.refresh(taskIds));
  }

  private remember(set: Set<string>, keys: Iterable<string>): void {
    for (const key of keys) set.add(key);
    while (set.size > REMEMBERED) set.delete(set.values().next().value!);
  }
}
