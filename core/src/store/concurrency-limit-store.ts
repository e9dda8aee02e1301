import type { Database } from './database.ts';
import type { Tx } from './transaction.ts';

/** A cap set through the API: 'global' (key '') or one executor's (key: its id). */
export interface StoredLimit {
  scope: 'global' | 'executor';
  key: string;
  maxRunning: number;
}

interface LimitRow {
  scope: 'global' | 'executor';
  key: string;
  max_running: number;
  updated_at: string;
}

/** The `concurrency_limits` table: caps changed at run time, which win over the configuration's until removed. */
export class ConcurrencyLimitStore {
  constructor(private readonly db: Database) {}

  async list(): Promise<StoredLimit[]> {
    const rows: LimitRow[] = await this.db('concurrency_limits').orderBy(['scope', 'key']);
    return rows.map((row) => ({ scope: row.scope, key: row.key, maxRunning: row.max_running }));
  }

  /** Sets (a number) or removes (null) one cap inside the caller's transaction. */
  put(tx: Tx, scope: StoredLimit['scope'], key: string, maxRunning: number | null, at: string): void {
    if (maxRunning === null) {
      tx.run(this.db('concurrency_limits').where({ scope, key }).delete());
      return;
    }
    tx.run(
      this.db('concurrency_limits')
        .insert({ scope, key, max_running: maxRunning, updated_at: at })
        .onConflict(['scope', 'key'])
        .merge({ max_running: maxRunning, updated_at: at }),
    );
  }
}
