import type { Logger } from 'pino';
import { CoalescedRounds } from '../locks/coalesced-rounds.ts';
import type { EventLog, ForgeEvent } from '../events/event-log.ts';
import { now } from '../store/clock.ts';
import { newId } from '../store/ids.ts';
import type { Tx } from '../store/transaction.ts';
import type { WebhookDeliveryLifecycle } from '../lifecycle/webhook-delivery-lifecycle.ts';
import type { NewDelivery, WebhookDeliveryStore } from '../store/webhook-delivery-store.ts';
import type { StoredWebhook, WebhookStore } from '../store/webhook-store.ts';
import { deliveryBody } from './delivery-body.ts';
import { matchesEventTypes } from './event-patterns.ts';

/** The fan-out's row in webhook_dispatch. */
const CURSOR = 'webhooks';
/** Events read and fanned out per transaction. */
const BATCH = 500;
/** After a failed round (the database busy, the disk full), the next try, if no event comes first. */
const RETRY_AFTER_FAILURE_MS = 5_000;

/**
 * Turns events of the log into deliveries: for each event after its cursor, one pending delivery
 * per active subscription that asks for the event's type and was made before it. The deliveries
 * and the cursor's advance commit in one transaction, so a crash at any point neither loses an
 * event's deliveries nor makes them twice. It reads the log by cursor (catching up at start, from
 * where it stopped) and is woken by the live tail; it keeps no state of its own but the cursor.
 */
export class EventFanOut {
  private cursor = 0;
  private readonly rounds = new CoalescedRounds(
    () => this.catchUp(),
    () => !this.stopped,
    (error) => {
      this.logger.error({ err: error, cursor: this.cursor }, 'webhook fan-out failed; it tries again with the next event');
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = null;
        void this.wake();
      }, RETRY_AFTER_FAILURE_MS).unref();
    },
  );
  private stopped = true;
  private retryTimer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly events: EventLog,
    private readonly webhooks: WebhookStore,
    private readonly deliveries: WebhookDeliveryStore,
    private readonly lifecycle: WebhookDeliveryLifecycle,
    /** Called when a round made deliveries, so the deliverer looks for them. */
    private readonly onDeliveries: () => void,
    private readonly logger: Logger,
  ) {}

  /** Catches up from the stored cursor, then follows the log; resolves once caught up. */
  async start(): Promise<void> {
    // A first start begins at the log's end: no subscription exists yet that older events could be for.
    await this.events.transact((tx) => this.deliveries.initCursor(tx, CURSOR, Number(this.events.latestId)));
    this.cursor = (await this.deliveries.cursor(CURSOR))!.eventCursor;
    this.stopped = false;
    this.unsubscribe = this.events.subscribe(() => void this.wake());
    await this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.rounds.settled();
  }

  /** Fans out everything committed so far; a call during a round makes the round go on. */
  wake(): Promise<void> {
    return this.rounds.request();
  }

  private async catchUp(): Promise<void> {
    while (!this.stopped) {
      const from = this.cursor;
      const read = await this.events.readAfter(String(from), BATCH);
      if (!Array.isArray(read)) {
        const to = Number(read.resumeFrom);
        this.logger.warn({ from, resumeFrom: to, reason: read.reason }, 'webhook fan-out: events after its cursor are gone from the event log; they are not delivered, it goes on from the newest');
        await this.events.transact((tx) => this.advance(tx, from, to, read.reason));
        this.cursor = to;
        continue;
      }
      if (read.length === 0) return;
      const to = Number(read.at(-1)!.id);
      const made = await this.events.transact((tx) => {
        const deliveries = deliveriesFor(read, this.webhooks.active(tx));
        this.lifecycle.insert(tx, deliveries, now());
        this.advance(tx, from, to);
        return deliveries.length;
      });
      this.cursor = to;
      if (made > 0) this.onDeliveries();
      if (read.length < BATCH) return;
    }
  }

  private advance(tx: Tx, from: number, to: number, gap?: string): void {
    // Only this process writes the cursor; should another have moved it, nothing of this round may commit.
    if (!this.deliveries.advanceCursor(tx, CURSOR, from, to, gap)) throw new Error(`the webhook fan-out cursor is no longer at ${from}`);
  }
}

function deliveriesFor(events: readonly ForgeEvent[], subscriptions: readonly StoredWebhook[]): NewDelivery[] {
  const deliveries: NewDelivery[] = [];
  for (const event of events) {
    for (const subscription of subscriptions) {
      if (Number(event.id) <= subscription.afterEvent || !matchesEventTypes(subscription.eventTypes, event.type)) continue;
      const id = newId();
      deliveries.push({ id, webhookId: subscription.id, eventId: event.id, eventType: event.type, body: deliveryBody(id, event), redeliveryOf: null });
    }
  }
  return deliveries;
}
