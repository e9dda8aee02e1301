import type { EventLog } from '../events/event-log.ts';
import { now } from '../store/clock.ts';
import type { ConcurrencyLimitStore } from '../store/concurrency-limit-store.ts';

/** Where a cap comes from: the configuration, or a change made through the API (which outlives restarts). */
export type CapSource = 'config' | 'api';

export interface Cap {
  max: number | null;
  source: CapSource;
}

/** A change to the caps: a number sets one, null removes the API's value (the configuration's applies again). */
export interface CapsChange {
  maxConcurrentAttempts?: number | null;
  executors?: Record<string, number | null>;
}

interface ConfiguredCaps {
  maxConcurrentAttempts: number;
  executorMaxConcurrentAttempts: Record<string, number>;
}

/**
 * The global and per-executor caps on running attempts (a project's own cap is a field of the
 * project). Read by the scheduler at each pass, so a change applies at once, without a restart.
 */
export class ConcurrencyLimits {
  private globalOverride: number | null = null;
  private readonly executorOverrides = new Map<string, number>();

  private constructor(
    private readonly store: ConcurrencyLimitStore,
    private readonly events: EventLog,
    private readonly configured: ConfiguredCaps,
  ) {}

  static async load(store: ConcurrencyLimitStore, events: EventLog, configured: ConfiguredCaps): Promise<ConcurrencyLimits> {
    const limits = new ConcurrencyLimits(store, events, configured);
    for (const stored of await store.list()) limits.apply(stored.scope, stored.key, stored.maxRunning);
    return limits;
  }

  get global(): Cap {
    return this.globalOverride === null ? { max: this.configured.maxConcurrentAttempts, source: 'config' } : { max: this.globalOverride, source: 'api' };
  }

  /** The executor's cap; `max` null when it has none. */
  forExecutor(executorId: string): Cap {
    const override = this.executorOverrides.get(executorId);
    return override === undefined ? { max: this.configured.executorMaxConcurrentAttempts[executorId] ?? null, source: 'config' } : { max: override, source: 'api' };
  }

  /** Executors with a cap from either source. */
  executorsWithCaps(): string[] {
    return [...new Set([...Object.keys(this.configured.executorMaxConcurrentAttempts), ...this.executorOverrides.keys()])].sort();
  }

  /** Stores the change and applies it once committed; a concurrency.updated event records it. */
  async update(change: CapsChange): Promise<void> {
    const entries: Array<['global' | 'executor', string, number | null]> = [
      ...(change.maxConcurrentAttempts === undefined ? [] : [['global', '', change.maxConcurrentAttempts] as ['global', string, number | null]]),
      ...Object.entries(change.executors ?? {}).map(([id, max]) => ['executor', id, max] as ['executor', string, number | null]),
    ];
    if (entries.length === 0) return;
    await this.events.transact((tx, emit) => {
      const at = now();
      for (const [scope, key, max] of entries) this.store.put(tx, scope, key, max, at);
      emit('concurrency.updated', 'concurrency', change);
    });
    for (const [scope, key, max] of entries) this.apply(scope, key, max);
  }

  private apply(scope: 'global' | 'executor', key: string, max: number | null): void {
    if (scope === 'global') this.globalOverride = max;
    else if (max === null) this.executorOverrides.delete(key);
    else this.executorOverrides.set(key, max);
  }
}
