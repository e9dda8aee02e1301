import type { DeliveryState } from '../lifecycle/webhook-delivery-lifecycle.ts';
import { now } from './clock.ts';
import type { Database } from './database.ts';
import { decodeCursor, encodeCursor, type Page, type PageRequest } from './page.ts';
import type { Tx } from './transaction.ts';

/** One event sent (or to be sent) to one subscription. */
export interface StoredDelivery {
  id: string;
  webhookId: string;
  /** The event's id in the event log. */
  eventId: string;
  eventType: string;
  /** The exact JSON body every attempt sends, so a retry is byte for byte the same request. */
  body: string;
  state: DeliveryState;
  /** Attempts started, the one a crash interrupted included. */
  attempts: number;
  /** When it is sent next; null once it is final. */
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  /** How long the last attempt took. */
  durationMs: number | null;
  responseExcerpt: string | null;
  /** The delivery this one sends again (POST …/redeliver). */
  redeliveryOf: string | null;
  deliveredAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type NewDelivery = Pick<StoredDelivery, 'id' | 'webhookId' | 'eventId' | 'eventType' | 'body' | 'redeliveryOf'>;

/** How far a reader of the event log has fanned events out, and the last gap it met. */
export interface DispatchCursor {
  eventCursor: number;
  lastGapAt: string | null;
  lastGapReason: string | null;
}

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  body: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  duration_ms: number | null;
  response_excerpt: string | null;
  redelivery_of: string | null;
  delivered_at: string | null;
  created_at: string;
  updated_at: string;
}

export const toDelivery = (row: DeliveryRow): StoredDelivery => ({
  id: row.id,
  webhookId: row.webhook_id,
  eventId: row.event_id,
  eventType: row.event_type,
  body: row.body,
  state: row.state,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  lastAttemptAt: row.last_attempt_at,
  lastStatus: row.last_status,
  lastError: row.last_error,
  durationMs: row.duration_ms,
  responseExcerpt: row.response_excerpt,
  redeliveryOf: row.redelivery_of,
  deliveredAt: row.delivered_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Webhook deliveries (read; their state is written by lifecycle/webhook-delivery-lifecycle.ts) and the fan-out's cursor; writes run inside the caller's transaction. */
export class WebhookDeliveryStore {
  constructor(private readonly db: Database) {}

  async get(webhookId: string, id: string): Promise<StoredDelivery | undefined> {
    const row = await this.db<DeliveryRow>('webhook_deliveries').where({ id, webhook_id: webhookId }).first();
    return row && toDelivery(row);
  }

  /** A subscription's deliveries, newest first; a cursor is the last id of the page before. */
  async page(webhookId: string, filter: { state?: DeliveryState | undefined }, request: PageRequest): Promise<Page<StoredDelivery>> {
    const query = this.db<DeliveryRow>('webhook_deliveries').where({ webhook_id: webhookId });
    if (filter.state) query.where('state', filter.state);
    if (request.cursor) query.where('id', '<', decodeCursor(request.cursor));
    const rows = await query.orderBy('id', 'desc').limit(request.limit + 1);
    const items = rows.slice(0, request.limit).map(toDelivery);
    return { items, nextCursor: rows.length > request.limit ? encodeCursor(items.at(-1)!.id) : null };
  }

  /**
   * What to send next: of each subscription not in `busy`, its oldest delivery due by `at` (so one
   * subscription's deliveries go out in the order of their events), up to `limit`, oldest first.
   * One index seek per subscription, however long the backlog or the history.
   */
  async dueHeads(at: string, busy: readonly string[], limit: number): Promise<StoredDelivery[]> {
    const head = this.db('webhook_deliveries as d')
      .select('d.id')
      .whereRaw('d.webhook_id = w.id')
      .where('d.state', 'pending')
      // As an expression, so SQLite's planner cannot take the due index for it: with that index it
      // read and sorted every due delivery per subscription (1.5 ms with 2,000 waiting, measured),
      // against one seek on (webhook_id, state, id) in id order (0.06 ms).
      .whereRaw("d.next_attempt_at || '' <= ?", [at])
      .orderBy('d.id')
      .limit(1);
    const rows: DeliveryRow[] = await this.db('webhooks as w')
      .join('webhook_deliveries as next', (on) => on.on('next.id', '=', this.db.raw('(?)', [head])))
      .whereNotIn('w.id', busy)
      .select('next.*')
      .orderBy('next.id')
      .limit(limit);
    return rows.map(toDelivery);
  }

  /** When the first pending delivery due after `after` is due, or null when none is. */
  async nextDueAfter(after: string): Promise<string | null> {
    const row = (await this.db('webhook_deliveries').where('state', 'pending').where('next_attempt_at', '>', after).min({ at: 'next_attempt_at' }).first()) as
      | { at: string | null }
      | undefined;
    return row?.at ?? null;
  }

  /** Deletes up to `batch` finished deliveries last changed before `before`; returns how many went. */
  async pruneFinished(before: string, batch: number): Promise<number> {
    const doomed = this.db('webhook_deliveries').whereIn('state', ['succeeded', 'failed']).where('updated_at', '<', before).limit(batch).select('id');
    return this.db('webhook_deliveries').whereIn('id', doomed).delete();
  }

  async cursor(name: string): Promise<DispatchCursor | undefined> {
    const row = await this.db('webhook_dispatch').where({ name }).first();
    return row && { eventCursor: row.event_cursor, lastGapAt: row.last_gap_at, lastGapReason: row.last_gap_reason };
  }

  /** Creates the reader's cursor at `at` unless it has one. */
  initCursor(tx: Tx, name: string, at: number): void {
    tx.run(this.db('webhook_dispatch').insert({ name, event_cursor: at, updated_at: now() }).onConflict('name').ignore());
  }

  /** Moves the cursor from `from` to `to`; false when it was not at `from` (then the caller's transaction must not commit). */
  advanceCursor(tx: Tx, name: string, from: number, to: number, gap?: string): boolean {
    const timestamp = now();
    const changes = { event_cursor: to, updated_at: timestamp, ...(gap === undefined ? {} : { last_gap_at: timestamp, last_gap_reason: gap.slice(0, 1000) }) };
    return tx.run(this.db('webhook_dispatch').where({ name, event_cursor: from }).update(changes)).changes > 0;
  }
}
