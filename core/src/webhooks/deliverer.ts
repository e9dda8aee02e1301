import type { Logger } from 'pino';
import { CoalescedRounds } from '../locks/coalesced-rounds.ts';
import { delayUntil } from '../runtime/timer-delay.ts';
import type { EventLog } from '../events/event-log.ts';
import type { Tx } from '../store/transaction.ts';
import { SWITCHED_OFF, type AttemptRecord, type WebhookDeliveryLifecycle } from '../lifecycle/webhook-delivery-lifecycle.ts';
import type { StoredDelivery, WebhookDeliveryStore } from '../store/webhook-delivery-store.ts';
import type { StoredWebhook, WebhookStore } from '../store/webhook-store.ts';
import { retryDelayMs, type RetrySchedule } from './backoff.ts';
import { INTERRUPTED, type WebhookResponse, type WebhookSender } from './sender.ts';
import { signWebhook } from './signature.ts';
import type { TargetGuard } from './target-guard.ts';
import type { WebhookSecrets } from './webhook-secrets.ts';

/** How one attempt ended: received, failed with a retry to come, or failed for good. */
export type DeliveryOutcome = 'succeeded' | 'retry' | 'failed';
/** Told of every attempt's outcome and how long it took (metrics). */
export type OutcomeListener = (outcome: DeliveryOutcome, durationMs: number) => void;

export interface DelivererOptions extends RetrySchedule {
  timeoutMs: number;
  /** Deliveries being sent at once, all subscriptions together. */
  maxInFlight: number;
  userAgent: string;
}

/** A claimed delivery and its subscription as they were when it was claimed. */
interface Claimed {
  delivery: StoredDelivery;
  /** Undefined when the subscription was deleted meanwhile (its deliveries went with it). */
  webhook: StoredWebhook | undefined;
}

/**
 * Sends pending deliveries when they are due. It is woken when deliveries are made and when a
 * subscription's lane ends, and otherwise sleeps on one timer set for the earliest retry; it never
 * polls. At most `maxInFlight` deliveries are sent at once and at most one per subscription, its
 * oldest due one first, so a healthy receiver gets a subscription's events in order and is never
 * flooded. A delivery waiting for its retry does not hold up the later ones.
 *
 * Each subscription with work has a lane: it sends one delivery, then records the outcome and
 * claims the subscription's next due delivery in one transaction, and goes on until none is due
 * (or other subscriptions wait for a free lane). A claim marks the delivery delivering and counts
 * the attempt before it is sent; one a crash interrupts is sent again after the restart.
 */
export class WebhookDeliverer {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly listeners = new Set<OutcomeListener>();
  private readonly stopping = new AbortController();
  private readonly rounds = new CoalescedRounds(
    () => this.fill(),
    () => this.started,
    (error) => {
      this.logger.error({ err: error }, 'looking for due webhook deliveries failed; the next wake tries again');
      this.lookForRetries = true;
      this.setTimer(Date.now() + 5_000);
    },
  );
  private started = false;
  /** A subscription had due deliveries while every lane was taken: lanes end after their send, so it gets one. */
  private waitingForLane = false;
  private timer: NodeJS.Timeout | null = null;
  /** When the timer fires; null when none is set. */
  private timerAt: number | null = null;
  /**
   * Whether the next round must ask the database when the next retry is due: at start (retries a
   * stop left) and when the timer has fired (the retries after the one it was set for). Retries
   * scheduled while running set the timer themselves.
   */
  private lookForRetries = true;

  constructor(
    private readonly events: EventLog,
    private readonly webhooks: WebhookStore,
    private readonly deliveries: WebhookDeliveryStore,
    private readonly lifecycle: WebhookDeliveryLifecycle,
    private readonly secrets: WebhookSecrets,
    private readonly guard: TargetGuard,
    private readonly sender: WebhookSender,
    private readonly options: DelivererOptions,
    private readonly logger: Logger,
  ) {}

  /** Puts back what a crash left being sent, then sends what is due. */
  async start(): Promise<void> {
    const interrupted = await this.events.transact((tx) => this.lifecycle.requeueInterrupted(tx, this.options.maxAttempts));
    if (interrupted.requeued + interrupted.failed > 0) this.logger.info(interrupted, 'webhook deliveries interrupted by a stop are sent again');
    this.report('failed', 0, interrupted.failed);
    this.started = true;
    await this.wake();
  }

  /** Stops sending: sends under way are cut short and sent again after the next start. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.stopping.abort();
    await this.rounds.settled();
    await Promise.all(this.inFlight.values());
  }

  onOutcome(listener: OutcomeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens lanes for whatever is due; a call during a round makes it look again. */
  wake(): Promise<void> {
    return this.rounds.request();
  }

  private async fill(): Promise<void> {
    const at = new Date().toISOString();
    const free = this.options.maxInFlight - this.inFlight.size;
    const due = await this.deliveries.dueHeads(at, [...this.inFlight.keys()], free + 1);
    this.waitingForLane = due.length > free;
    const claimed = await this.events.transact((tx) =>
      due.slice(0, Math.max(free, 0)).flatMap((delivery) => (this.lifecycle.claim(tx, delivery.id) ? [this.claimed(tx, { ...delivery, attempts: delivery.attempts + 1 })] : [])),
    );
    for (const first of claimed) this.openLane(first);
    // What is due now but not sent waits for a lane to end (which wakes this); the timer is for what is due later.
    if (this.lookForRetries) {
      this.lookForRetries = false;
      const next = await this.deliveries.nextDueAfter(at);
      if (next) this.setTimer(Date.parse(next));
    }
  }

  private claimed(tx: Tx, delivery: StoredDelivery): Claimed {
    return { delivery, webhook: this.webhooks.getIn(tx, delivery.webhookId) };
  }

  private openLane(first: Claimed): void {
    const webhookId = first.delivery.webhookId;
    let current: Claimed | undefined = first;
    const lane = (async () => {
      while (current) current = await this.deliver(current);
    })()
      .catch(async (error: unknown) => {
        this.logger.error({ err: error, webhookId }, 'a webhook delivery could not be recorded; it waits to be sent again');
        // Left `delivering`, no lane would take it before a restart: put back, it is sent again (at-least-once).
        const stuck = current!.delivery.id;
        await this.events
          .transact((tx) => this.lifecycle.putBack(tx, stuck))
          .catch((again: unknown) => this.logger.error({ err: again, deliveryId: stuck }, 'could not put it back either; the next start does'));
      })
      .finally(() => {
        this.inFlight.delete(webhookId);
        void this.wake();
      });
    this.inFlight.set(webhookId, lane);
  }

  /** Sets the timer for `at` unless it is set for earlier already. */
  private setTimer(at: number): void {
    if (!this.started || (this.timerAt !== null && this.timerAt <= at)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = null;
      this.lookForRetries = true;
      void this.wake();
    }, delayUntil(at));
    this.timer.unref();
  }

  /** Sends one claimed delivery and records how it went; returns the subscription's next one, claimed, when the lane goes on. */
  private async deliver({ delivery, webhook }: Claimed): Promise<Claimed | undefined> {
    if (!webhook) return undefined;
    const response = webhook.active ? await this.send(webhook, delivery) : switchedOff;
    if (response.error === INTERRUPTED) {
      await this.events.transact((tx) => this.lifecycle.putBack(tx, delivery.id));
      return undefined;
    }
    const outcome: DeliveryOutcome = response.error === null ? 'succeeded' : !webhook.active || delivery.attempts >= this.options.maxAttempts ? 'failed' : 'retry';
    const nextAttemptAt = outcome === 'retry' ? new Date(Date.now() + retryDelayMs(delivery.attempts, this.options)).toISOString() : null;
    const state = outcome === 'retry' ? 'pending' : outcome;
    const next = await this.events.transact((tx) => {
      this.lifecycle.finish(tx, delivery.id, { ...recordOf(response), state, nextAttemptAt });
      if (!this.started || this.waitingForLane) return undefined;
      const following = this.lifecycle.claimNextDue(tx, webhook.id, new Date().toISOString());
      return following && this.claimed(tx, following);
    });
    if (nextAttemptAt) this.setTimer(Date.parse(nextAttemptAt));
    if (outcome === 'failed') {
      this.logger.warn({ deliveryId: delivery.id, webhookId: delivery.webhookId, eventId: delivery.eventId, attempts: delivery.attempts, error: response.error }, 'a webhook delivery failed for good');
    }
    this.report(outcome, response.durationMs);
    return next;
  }

  /** Tells the listeners (metrics) how an attempt ended; also of deliveries failed without one (switched off, or their last attempt cut by a crash). */
  report(outcome: DeliveryOutcome, durationMs: number, times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const listener of this.listeners) {
        try {
          listener(outcome, durationMs);
        } catch (error) {
          this.logger.error({ err: error }, 'a webhook outcome listener failed');
        }
      }
    }
  }

  /** One attempt: the target checked (after DNS) and pinned, the body signed and posted. */
  private async send(webhook: StoredWebhook, delivery: StoredDelivery): Promise<WebhookResponse> {
    try {
      const url = new URL(webhook.url);
      const address = await this.guard.addressFor(webhook.url);
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = {
        'content-type': 'application/json',
        'user-agent': this.options.userAgent,
        'forge-webhook-id': delivery.id,
        'forge-webhook-timestamp': String(timestamp),
        'forge-webhook-signature': signWebhook(this.secrets.open(webhook.id, webhook.sealedSecret), timestamp, delivery.body),
        'forge-event': delivery.eventType,
      };
      return await this.sender.send({ url, address, headers, body: delivery.body, timeoutMs: this.options.timeoutMs, signal: this.stopping.signal });
    } catch (error) {
      // A refused or unresolvable target, or a secret that cannot be opened: a failed attempt that says why.
      return { status: null, error: (error as Error).message.slice(0, 1000), excerpt: null, durationMs: 0 };
    }
  }
}

/** A subscription switched off while its delivery was already claimed: it fails as the waiting ones did. */
const switchedOff: WebhookResponse = { status: null, error: SWITCHED_OFF, excerpt: null, durationMs: 0 };

function recordOf(response: WebhookResponse): Omit<AttemptRecord, 'state' | 'nextAttemptAt'> {
  return { lastStatus: response.status, lastError: response.error, durationMs: response.durationMs, responseExcerpt: response.excerpt };
}
