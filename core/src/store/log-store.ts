import type { Database } from './database.ts';

export interface LogEntry {
  attemptId: string;
  processId: string;
  /** Position in the attempt's log, from 1; also the SSE event id of the entry. */
  seq: number;
  ts: string;
  kind: string;
  payload: Record<string, unknown>;
}

interface LogRow {
  attempt_id: string;
  process_id: string;
  seq: number;
  ts: string;
  kind: string;
  payload: string;
}

function toEntry(row: LogRow): LogEntry {
  return {
    attemptId: row.attempt_id,
    processId: row.process_id,
    seq: row.seq,
    ts: row.ts,
    kind: row.kind,
    payload: JSON.parse(row.payload),
  };
}

// SQLite binds at most 32,766 variables per statement; 6 columns a row leaves room for 5,000
// rows, and 500 keeps each statement small enough not to hold the writer for long.
const ROWS_PER_INSERT = 500;

export class LogStore {
  constructor(private readonly db: Database) {}

  async append(entries: readonly LogEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += ROWS_PER_INSERT) {
      const rows: LogRow[] = entries.slice(i, i + ROWS_PER_INSERT).map((e) => ({
        attempt_id: e.attemptId,
        process_id: e.processId,
        seq: e.seq,
        ts: e.ts,
        kind: e.kind,
        payload: JSON.stringify(e.payload),
      }));
      await this.db('log_entries').insert(rows);
    }
  }

  /** Entries after `after`, oldest first; with `tail`, the last `limit` entries instead (still oldest first). */
  async list(attemptId: string, query: { after: number; limit: number; processId?: string | undefined; tail?: boolean | undefined }): Promise<LogEntry[]> {
    const builder = this.db('log_entries')
      .where('attempt_id', attemptId)
      .orderBy('seq', query.tail ? 'desc' : 'asc')
      .limit(query.limit)
      .select('attempt_id', 'process_id', 'seq', 'ts', 'kind', 'payload');
    if (!query.tail) builder.where('seq', '>', query.after);
    if (query.processId) builder.where('process_id', query.processId);
    const rows: LogRow[] = await builder;
    if (query.tail) rows.reverse();
    return rows.map(toEntry);
  }

  async lastSeq(attemptId: string): Promise<number> {
    const row = (await this.db('log_entries').where('attempt_id', attemptId).max({ last: 'seq' }).first()) as
      | { last: number | null }
      | undefined;
    return row?.last ?? 0;
  }
}
