import type { Logger } from 'pino';
import type { EventLog } from '../events/event-log.ts';
import type { WebhookDeliveryLifecycle } from '../lifecycle/webhook-delivery-lifecycle.ts';
import type { WebhookDeliveryStore } from '../store/webhook-delivery-store.ts';
import type { WebhookStore } from '../store/webhook-store.ts';
import { WebhookDeliverer, type DelivererOptions, type OutcomeListener } from './deliverer.ts';
import { EventFanOut } from './fan-out.ts';
import { WebhookSender } from './sender.ts';
import { TargetGuard, type TargetPolicy } from './target-guard.ts';
import type { WebhookSecrets } from './webhook-secrets.ts';

export interface DispatcherOptions extends DelivererOptions, TargetPolicy {
  /** Finished deliveries are deleted this long after their last attempt. */
  retentionMs: number;
}

const PRUNE_INTERVAL_MS = 3_600_000;
const PRUNE_BATCH = 5_000;

/**
 * The webhooks' background work: the fan-out of events into deliveries and the deliverer that
 * sends them, and the pruning of old finished deliveries. Started only when the webhooks feature
 * is on; `onOutcome` tells a listener (metrics) of every attempt's outcome.
 */
export class WebhookDispatcher {
  private readonly deliverer: WebhookDeliverer;
  private readonly fanOut: EventFanOut;
  private readonly sender = new WebhookSender();
  private pruneTimer: NodeJS.Timeout | null = null;
  private pruning: Promise<void> | null = null;
  private starting: Promise<void> | null = null;

  constructor(
    events: EventLog,
    webhooks: WebhookStore,
    private readonly deliveries: WebhookDeliveryStore,
    lifecycle: WebhookDeliveryLifecycle,
    secrets: WebhookSecrets,
    private readonly options: DispatcherOptions,
    private readonly logger: Logger,
  ) {
    const guard = new TargetGuard(options);
    this.deliverer = new WebhookDeliverer(events, webhooks, deliveries, lifecycle, secrets, guard, this.sender, options, logger);
    this.fanOut = new EventFanOut(events, webhooks, deliveries, lifecycle, () => void this.deliverer.wake(), logger);
  }

  /** Sends what a stop left pending, catches up with the event log, then follows it. */
  start(): Promise<void> {
    this.starting = (async () => {
      await this.deliverer.start();
      await this.fanOut.start();
      this.pruneTimer = setInterval(() => this.prune(), PRUNE_INTERVAL_MS);
      this.pruneTimer.unref();
      this.prune();
    })();
    return this.starting;
  }

  async stop(): Promise<void> {
    // A stop right after the start: the start finishes first, so nothing it begins outlives the stop.
    await this.starting?.catch(() => undefined);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.fanOut.stop();
    await this.deliverer.stop();
    await this.pruning;
    this.sender.close();
  }

  /** Looks for due deliveries now: a redelivery was made. */
  wake(): void {
    void this.deliverer.wake();
  }

  /** Calls `listener` with the outcome and duration of every attempt from now on; returns the unsubscribe. */
  onOutcome(listener: OutcomeListener): () => void {
    return this.deliverer.onOutcome(listener);
  }

  /** Deliveries that failed without an attempt (their subscription was switched off): counted like failed attempts. */
  reportFailed(count: number): void {
    this.deliverer.report('failed', 0, count);
  }

  private prune(): void {
    this.pruning ??= (async () => {
      try {
        const before = new Date(Date.now() - this.options.retentionMs).toISOString();
        while ((await this.deliveries.pruneFinished(before, PRUNE_BATCH)) === PRUNE_BATCH);
      } catch (error) {
        this.logger.warn({ err: error }, 'could not prune old webhook deliveries');
      } finally {
        this.pruning = null;
      }
    })();
  }
}
