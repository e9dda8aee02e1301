import { ForgeError } from '@forge-core/sdk';
import type { PackRegistry } from '../plugins/pack-registry.ts';
import type { Stores } from '../store/stores.ts';
import type { CapSource, CapsChange, ConcurrencyLimits } from './concurrency-limits.ts';
import { RETRYABLE_AGENT_ERRORS } from './retry-policy.ts';
import type { Scheduler } from './scheduler.ts';

export interface ExecutorQueue {
  id: string;
  maxConcurrentAttempts: number | null;
  source: CapSource;
  running: number;
  queued: number;
  /** Until when a rate limit or quota holds this executor's queued attempts; null: not held. */
  pausedUntil: string | null;
}

export interface ProjectQueue {
  id: string;
  name: string;
  maxConcurrentAttempts: number | null;
  running: number;
  queued: number;
}

export interface QueueView {
  maxConcurrentAttempts: number;
  source: CapSource;
  running: number;
  queued: number;
  executors: ExecutorQueue[];
  /** Projects with a cap of their own, or with attempts running or queued. */
  projects: ProjectQueue[];
}

/** The caps on running attempts, what runs and waits under each, and changes to the caps at run time. */
export class QueueOverview {
  constructor(
    private readonly stores: Stores,
    private readonly limits: ConcurrencyLimits,
    private readonly scheduler: Scheduler,
    private readonly registry: PackRegistry,
  ) {}

  async view(): Promise<QueueView> {
    const counts = this.scheduler.runningCounts();
    const queues = await this.stores.attempts.queueByExecutor(new Date().toISOString(), RETRYABLE_AGENT_ERRORS);
    const queuedByProject = await this.stores.attempts.queuedByProject();
    const executorIds = new Set([
      ...this.registry.listExecutors().map((entry) => entry.id),
      ...this.limits.executorsWithCaps(),
      ...queues.map((queue) => queue.executorId),
      ...counts.byExecutor.keys(),
    ]);
    const executors = [...executorIds].sort().map((id): ExecutorQueue => {
      const cap = this.limits.forExecutor(id);
      const queue = queues.find((candidate) => candidate.executorId === id);
      return { id, maxConcurrentAttempts: cap.max, source: cap.source, running: counts.byExecutor.get(id) ?? 0, queued: queue?.queued ?? 0, pausedUntil: queue?.pausedUntil ?? null };
    });
    const projects = (await this.stores.projects.all())
      .filter((project) => project.maxConcurrentAttempts !== null || counts.byProject.has(project.id) || queuedByProject.has(project.id))
      .map((project): ProjectQueue => ({
        id: project.id,
        name: project.name,
        maxConcurrentAttempts: project.maxConcurrentAttempts,
        running: counts.byProject.get(project.id) ?? 0,
        queued: queuedByProject.get(project.id) ?? 0,
      }));
    const global = this.limits.global;
    return {
      maxConcurrentAttempts: global.max!,
      source: global.source,
      running: counts.total,
      queued: queues.reduce((sum, queue) => sum + queue.queued, 0),
      executors,
      projects,
    };
  }

  /** Applies new caps at once (their event wakes the scheduler), and keeps them across restarts. */
  async update(change: CapsChange): Promise<QueueView> {
    const unknown = Object.entries(change.executors ?? {}).filter(([id, max]) => max !== null && !this.registry.executor(id)).map(([id]) => id);
    if (unknown.length > 0) {
      const installed = this.registry.listExecutors().map((entry) => entry.id);
      throw new ForgeError('FORGE_EXECUTOR_NOT_FOUND', `No installed executor is called ${unknown.map((id) => `"${id}"`).join(', ')}; installed: ${installed.join(', ') || 'none'}.`, { unknown, installed });
    }
    await this.limits.update(change);
    return this.view();
  }
}
