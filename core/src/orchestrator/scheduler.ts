import type { Logger } from 'pino';
import type { Stores } from '../store/stores.ts';
import type { AttemptRunner } from './attempt-runner.ts';
import type { AttemptLifecycle } from '../lifecycle/attempt-lifecycle.ts';
import type { ConcurrencyLimits } from './concurrency-limits.ts';
import { RETRYABLE_AGENT_ERRORS } from './retry-policy.ts';
import { delayUntil } from '../runtime/timer-delay.ts';

export interface SchedulerOptions {
  nodeId: string;
  /** How often queued work is looked at even without a wake-up, and leases renewed. */
  tickIntervalMs?: number;
}

interface Running {
  projectId: string;
  executorId: string;
  controller: AbortController;
  done: Promise<void>;
}

/** How many attempts this node runs, in all, per project and per executor. */
export interface RunningCounts {
  total: number;
  byProject: Map<string, number>;
  byExecutor: Map<string, number>;
}

const LEASE_MS = 5 * 60_000;
// Measured with 50 starts at once: each start's own work is well under a millisecond, so
// 20 ms of quiet means the burst is over; 200 ms bounds the delay under a steady stream.
export const QUIET_MS = 20;
const MAX_WAKE_DELAY_MS = 200;
const QUEUE_SCAN_LIMIT = 500;

/**
 * Starts queued attempts as capacity allows: a global cap, each project's own and each
 * executor's (decision 0031), in the queue's order (priority, then first queued); an attempt
 * waiting out a rate limit, and every other attempt of its executor, waits until its retry time
 * (the queue of that executor is paused). Starting
 * an attempt is a claim in the database (queued → preparing for this node), so a second node
 * can never take the same one. The API only writes `queued` rows and wakes the scheduler, which
 * is why a start request returns in milliseconds however many attempts start at once.
 */
export class Scheduler {
  private readonly running = new Map<string, Running>();
  private timer: NodeJS.Timeout | null = null;
  private pending: NodeJS.Timeout | null = null;
  /** Wakes the scheduler when the earliest paused executor may run again. */
  private resumeTimer: NodeJS.Timeout | null = null;
  private firstWakeAt: number | null = null;
  private ticking = false;
  private again = false;
  private stopped = true;

  constructor(
    private readonly stores: Stores,
    private readonly attempts: AttemptLifecycle,
    private readonly runner: AttemptRunner,
    private readonly limits: ConcurrencyLimits,
    private readonly options: SchedulerOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    const interval = this.options.tickIntervalMs ?? 2_000;
    this.timer = setInterval(() => {
      this.wake();
      void this.renewLeases();
    }, interval);
    this.timer.unref();
    this.wake();
  }

  /**
   * Looks for startable work: on the next turn of the event loop (so the start request that woke
   * it is answered first) when no pass is running or waiting and no other wake-up came in that
   * turn, so a lone start is claimed within a millisecond or two. Wake-ups that arrive together
   * or while a pass runs are a burst: claiming an attempt sets off git and agent processes, and
   * each spawn holds the event loop a millisecond or more, work that would queue in front of the
   * start requests themselves. The pass for them waits until wake-ups have been quiet for
   * QUIET_MS (at most MAX_WAKE_DELAY_MS after the first), which answers every request first and
   * claims the burst together.
   */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (!this.pending && !this.again) {
      void this.tick(true);
      return;
    }
    const now = Date.now();
    this.firstWakeAt ??= now;
    if (this.pending) clearTimeout(this.pending);
    const delay = Math.min(QUIET_MS, Math.max(0, this.firstWakeAt + MAX_WAKE_DELAY_MS - now));
    this.pending = setTimeout(() => {
      this.pending = null;
      this.firstWakeAt = null;
      void this.tick(false);
    }, delay);
  }

  isActive(attemptId: string): boolean {
    return this.running.has(attemptId);
  }

  get runningCount(): number {
    return this.running.size;
  }

  runningCounts(): RunningCounts {
    const counts: RunningCounts = { total: this.running.size, byProject: new Map(), byExecutor: new Map() };
    for (const { projectId, executorId } of this.running.values()) {
      counts.byProject.set(projectId, (counts.byProject.get(projectId) ?? 0) + 1);
      counts.byExecutor.set(executorId, (counts.byExecutor.get(executorId) ?? 0) + 1);
    }
    return counts;
  }

  /** Asks a running attempt to stop; resolves once it has reached its final state. */
  async stop(attemptId: string): Promise<boolean> {
    const running = this.running.get(attemptId);
    if (!running) return false;
    running.controller.abort();
    await running.done;
    return true;
  }

  /** Stops taking work and stops every running attempt (they end cancelled). */
  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.pending) clearTimeout(this.pending);
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)));
  }

  /** One pass; a `leading` one (a lone wake-up) gives way to the quiet period if others followed within the turn. */
  private async tick(leading: boolean): Promise<void> {
    this.ticking = true;
    this.again = false;
    try {
      await new Promise((resolve) => setImmediate(resolve));
      // Start requests that arrived together (read in the same turn of the event loop) are a
      // burst: they are claimed together once they are quiet, not the first of them now.
      if (leading && this.again) return;
      await this.startWhatFits();
    } catch (error) {
      this.logger.error({ err: error }, 'scheduler pass failed');
    } finally {
      this.ticking = false;
      if (this.again) this.wake();
    }
  }

  private async startWhatFits(): Promise<void> {
    if (this.running.size >= this.globalCap()) return;
    const queued = await this.stores.attempts.listQueued(QUEUE_SCAN_LIMIT);
    const pausedUntil = await this.pausedExecutors();
    const counts = this.runningCounts();
    const projectCaps = new Map<string, number | null>();
    for (const attempt of queued) {
      if (this.stopped || this.running.size >= this.globalCap()) return;
      if (!projectCaps.has(attempt.projectId)) {
        projectCaps.set(attempt.projectId, (await this.stores.projects.get(attempt.projectId))?.maxConcurrentAttempts ?? null);
      }
      if (this.running.has(attempt.id)) continue; // its previous run is still winding down
      const executorId = attempt.executor.id;
      if (pausedUntil.has(executorId)) continue;
      if (isOver(projectCaps.get(attempt.projectId), counts.byProject.get(attempt.projectId))) continue;
      if (isOver(this.limits.forExecutor(executorId).max, counts.byExecutor.get(executorId))) continue;
      // Registered before the claim, so a stop arriving meanwhile finds it and aborts it.
      const controller = new AbortController();
      let finished!: () => void;
      const done = new Promise<void>((resolve) => (finished = resolve));
      this.running.set(attempt.id, { projectId: attempt.projectId, executorId, controller, done });
      bump(counts.byProject, attempt.projectId, 1);
      bump(counts.byExecutor, executorId, 1);
      const release = () => {
        this.running.delete(attempt.id);
        finished();
      };
      const claimed = await this.attempts.claim(attempt.id, this.options.nodeId, leaseUntil()).catch((error) => {
        release();
        throw error;
      });
      if (!claimed) {
        release(); // stopped or taken meanwhile
        bump(counts.byProject, attempt.projectId, -1);
        bump(counts.byExecutor, executorId, -1);
        continue;
      }
      void this.runner
        .run(claimed, controller.signal)
        .catch((error) => this.logger.error({ err: error, attemptId: claimed.id }, 'attempt runner crashed'))
        .finally(() => {
          release();
          this.wake();
        });
    }
  }

  private globalCap(): number {
    return this.limits.global.max ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Executors whose queue a rate limit or quota holds, read from the attempts waiting on one (so
   * it holds across restarts); the scheduler wakes again when the first of them may run.
   */
  private async pausedExecutors(): Promise<Set<string>> {
    const current = Date.now();
    const queues = await this.stores.attempts.queueByExecutor(new Date(current).toISOString(), RETRYABLE_AGENT_ERRORS);
    const paused = queues.filter((queue) => queue.pausedUntil !== null);
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = null;
    if (paused.length > 0 && !this.stopped) {
      const first = Math.min(...paused.map((queue) => Date.parse(queue.pausedUntil!)));
      this.resumeTimer = setTimeout(() => this.wake(), Math.max(1, delayUntil(first, current)));
      this.resumeTimer.unref();
    }
    return new Set(paused.map((queue) => queue.executorId));
  }

  private async renewLeases(): Promise<void> {
    await this.stores.attempts
      .renewLeases([...this.running.keys()], this.options.nodeId, leaseUntil())
      .catch((error) => this.logger.warn({ err: error }, 'could not renew attempt leases'));
  }
}

/** Whether `running` has reached `cap` (none: never). */
function isOver(cap: number | null | undefined, running: number | undefined): boolean {
  return cap != null && (running ?? 0) >= cap;
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

function leaseUntil(): string {
  return new Date(Date.now() + LEASE_MS).toISOString();
}
