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
    const { oldest, newest } = await this.bounds();
    if (newest === 0) return 0;
    const through = Math.min(newest - 1, Math.max(newest - keep, await this.lastBefore(before, oldest, newest)));
    if (through < oldest) return 0;
    const doomed = this.db('events').where('seq', '<=', through).orderBy('seq').limit(batch).select('seq');
    return this.db('events').whereIn('seq', doomed).delete();
  }

  /**
   * The last seq whose event is older than `before` (0 if none): a binary search on seq, as
   * timestamps grow with it, so no index on `ts` is needed. A clock stepped back makes the cut a
   * little early or late, never a hole.
   */
  private async lastBefore(before: string, oldest: number, newest: number): Promise<number> {
    let [low, high, found] = [oldest, newest, 0];
    while (low <= high) {
      const middle = Math.floor((low + high) / 2);
      const row = (await this.db('events').where('seq', '>=', middle).orderBy('seq').first('seq', 'ts')) as { seq: number; ts: string } | undefined;
      if (!row || row.seq > high) high = middle - 1;
      else if (row.ts < before) [found, low] = [row.seq, row.seq + 1];
      else high = middle - 1;
    }
    return found;
  }
}
