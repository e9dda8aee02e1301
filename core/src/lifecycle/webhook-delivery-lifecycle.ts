import { now } from '../store/clock.ts';
import type { Database } from '../store/database.ts';
import { toDelivery, type DeliveryRow, type NewDelivery, type StoredDelivery } from '../store/webhook-delivery-store.ts';
import type { Tx } from '../store/transaction.ts';
import { allowedFrom, type Transitions } from './transitions.ts';

/** Why a delivery failed with no attempt: its subscription was switched off first. */
export const SWITCHED_OFF = 'the subscription was switched off (active: false) before it was sent';

export const DELIVERY_STATES = ['pending', 'delivering', 'succeeded', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * A delivery waits (pending) until it is due, is sent (delivering), and then is received
 * (succeeded), waits for its retry (pending again) or has used its attempts (failed). A delivery
 * whose send a crash interrupted goes from delivering back to pending when the server starts; one
 * of a subscription switched off fails at once. Every state write below checks this table.
 */
export const DELIVERY_TRANSITIONS: Transitions<DeliveryState> = {
  pending: ['delivering', 'failed'],
  delivering: ['succeeded', 'pending', 'failed'],
  succeeded: [],
  failed: [],
};

/** How an attempt ended, as stored: received, to be tried again at `nextAttemptAt`, or given up. */
export interface AttemptRecord {
  state: 'succeeded' | 'pending' | 'failed';
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  durationMs: number;
  responseExcerpt: string | null;
}

const into = (to: DeliveryState) => allowedFrom(DELIVERY_TRANSITIONS, to);

/** The only writer of webhook deliveries' state (spec/decisions/0033); every write runs inside the caller's transaction. */
export class WebhookDeliveryLifecycle {
  constructor(private readonly db: Database) {}

  insert(tx: Tx, deliveries: readonly NewDelivery[], nextAttemptAt: string): void {
    const timestamp = now();
    for (const delivery of deliveries) {
      tx.run(
        this.db('webhook_deliveries').insert({
          id: delivery.id,
          webhook_id: delivery.webhookId,
          event_id: delivery.eventId,
          event_type: delivery.eventType,
          body: delivery.body,
          redelivery_of: delivery.redeliveryOf,
          state: 'pending',
          attempts: 0,
          next_attempt_at: nextAttemptAt,
          created_at: timestamp,
          updated_at: timestamp,
        }),
      );
    }
  }

  /** Marks a pending delivery as being sent and counts the attempt; false when it was not pending any more. */
  claim(tx: Tx, id: string): boolean {
    const timestamp = now();
    const query = this.db('webhook_deliveries')
      .where({ id })
      .whereIn('state', into('delivering'))
      .update({ state: 'delivering', attempts: this.db.raw('attempts + 1'), last_attempt_at: timestamp, next_attempt_at: null, updated_at: timestamp });
    return tx.run(query).changes > 0;
  }

  /** Claims the subscription's oldest delivery due by `at`, if any: what its lane sends next. */
  claimNextDue(tx: Tx, webhookId: string, at: string): StoredDelivery | undefined {
    const row = tx.first<DeliveryRow>(
      this.db('webhook_deliveries')
        .where({ webhook_id: webhookId, state: 'pending' })
        // An expression for the reason dueHeads gives: the seek goes by (webhook_id, state, id).
        .whereRaw("next_attempt_at || '' <= ?", [at])
        .orderBy('id')
        .limit(1),
    );
    if (!row || !this.claim(tx, row.id)) return undefined;
    return { ...toDelivery(row), state: 'delivering', attempts: row.attempts + 1 };
  }

  /** A send cut short by a stop: the delivery waits again, due at once, and the attempt is given back. */
  putBack(tx: Tx, id: string): boolean {
    const timestamp = now();
    const query = this.db('webhook_deliveries')
      .where({ id, state: 'delivering' })
      .whereIn('state', into('pending'))
      .update({ state: 'pending', attempts: this.db.raw('max(attempts - 1, 0)'), next_attempt_at: timestamp, updated_at: timestamp });
    return tx.run(query).changes > 0;
  }

  /** Records how the attempt being sent ended. */
  finish(tx: Tx, id: string, attempt: AttemptRecord): boolean {
    const timestamp = now();
    const query = this.db('webhook_deliveries')
      .where({ id, state: 'delivering' })
      .whereIn('state', into(attempt.state))
      .update({
        state: attempt.state,
        next_attempt_at: attempt.nextAttemptAt,
        last_status: attempt.lastStatus,
        last_error: attempt.lastError,
        duration_ms: attempt.durationMs,
        response_excerpt: attempt.responseExcerpt,
        delivered_at: attempt.state === 'succeeded' ? timestamp : null,
        updated_at: timestamp,
      });
    return tx.run(query).changes > 0;
  }

  /**
   * After a crash, deliveries that were being sent: pending again and due at once, or failed when
   * the interrupted attempt was their last. Their receiver may have got them: at-least-once.
   */
  requeueInterrupted(tx: Tx, maxAttempts: number): { requeued: number; failed: number } {
    const timestamp = now();
    const base = () => this.db('webhook_deliveries').where('state', 'delivering');
    const failed = tx.run(
      base()
        .where('attempts', '>=', maxAttempts)
        .update({ state: 'failed', last_error: 'the server stopped while sending its last attempt', next_attempt_at: null, updated_at: timestamp }),
    ).changes;
    const requeued = tx.run(base().update({ state: 'pending', next_attempt_at: timestamp, updated_at: timestamp })).changes;
    return { requeued, failed };
  }

  /** A subscription switched off: its waiting deliveries fail, saying so. */
  failPending(tx: Tx, webhookId: string, reason: string): number {
    const timestamp = now();
    const query = this.db('webhook_deliveries')
      .where({ webhook_id: webhookId, state: 'pending' })
      .whereIn('state', into('failed'))
      .update({ state: 'failed', last_error: reason, next_attempt_at: null, updated_at: timestamp });
    return tx.run(query).changes;
  }
}
