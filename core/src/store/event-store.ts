import type { Database } from './database.ts';
import type { Tx } from './transaction.ts';

/** One row of the event log. */
export interface StoredEvent {
  seq: number;
  type: string;
  /** The id of the project, task, attempt or process that changed. */
  subject: string;
  ts: string;
  data: unknown;
}

interface EventRow {
  seq: number;
  type: string;
  subject: string;
  ts: string;
  data: string;
}

const toEvent = (row: EventRow): StoredEvent => ({ seq: row.seq, type: row.type, subject: row.subject, ts: row.ts, data: JSON.parse(row.data) });

/** The `events` table: appended to inside state changes' transactions, read by cursor, pruned from the oldest end. */
export class EventStore {
  constructor(private readonly db: Database) {}

  /** Appends inside the caller's transaction; returns the event with its sequence number. */
  append(tx: Tx, event: Omit<StoredEvent, 'seq'>): StoredEvent {
    const { lastInsertRowid } = tx.run(
      this.db('events').insert({ type: event.type, subject: event.subject, ts: event.ts, data: JSON.stringify(event.data) }),
    );
    return { seq: lastInsertRowid, ...event };
  }

  async readAfter(seq: number, limit: number, subject?: string): Promise<StoredEvent[]> {
    const query = this.db<EventRow>('events').where('seq', '>', seq).orderBy('seq').limit(limit);
    if (subject !== undefined) query.where('subject', subject);
    return (await query).map(toEvent);
  }

  /** The oldest and newest sequence numbers kept (both 0 when the log is empty). */
  async bounds(): Promise<{ oldest: number; newest: number }> {
    const row = (await this.db('events').min({ oldest: 'seq' }).max({ newest: 'seq' }).first()) as
      | { oldest: number | null; newest: number | null }
      | undefined;
    return { oldest: row?.oldest ?? 0, newest: row?.newest ?? 0 };
  }

  /**
   * Deletes the oldest events: those from before `before` and any beyond the newest `keep`, but
   * never the newest one, which marks how far the log has come (a cursor beyond it is from
   * another database). Only ever a prefix, so what is kept has no holes. Deletes at most `batch`
   * rows a call, so the writer is never held for long; returns how many went.
   */
  async prune(before: string, keep: number, batch: number): Promise<number> {
    const { newest } = await this.bounds();
    if (newest === 0) return 0;
    const aged = (await this.db('events').where('ts', '<', before).max({ seq: 'seq' }).first()) as { seq: number | null } | undefined;
    const through = Math.min(newest - 1, Math.max(newest - keep, aged?.seq ?? 0));
    if (through <= 0) return 0;
    const doomed = this.db('events').where('seq', '<=', through).orderBy('seq').limit(batch).select('seq');
    return this.db('events').whereIn('seq', doomed).delete();
  }
}
