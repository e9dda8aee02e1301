import type { Knex } from 'knex';
import type { Database } from './database.ts';

/** A write's effect: how many rows it changed and, for an insert, the new row's integer key. */
export interface WriteResult {
  changes: number;
  lastInsertRowid: number;
}

/**
 * Statements run inside one transaction. Each runs at once and returns its result: better-sqlite3
 * is synchronous, so a transaction is one uninterrupted stretch of the event loop and no other
 * statement of this process can come between two of its statements.
 */
export interface Tx {
  run(query: Knex.QueryBuilder | Knex.Raw): WriteResult;
  all<Row>(query: Knex.QueryBuilder | Knex.Raw): Row[];
  first<Row>(query: Knex.QueryBuilder | Knex.Raw): Row | undefined;
}

interface Statement {
  run(...bindings: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  all(...bindings: unknown[]): unknown[];
  get(...bindings: unknown[]): unknown;
}

interface SqliteConnection {
  prepare(sql: string): Statement;
  readonly inTransaction: boolean;
}

interface PooledClient {
  acquireConnection(): Promise<SqliteConnection>;
  releaseConnection(connection: SqliteConnection): Promise<void>;
}

interface Job {
  work: (tx: Tx) => unknown;
  onCommit: ((result: unknown) => void) | undefined;
  settle: (outcome: { ok: true; value: unknown } | { ok: false; error: unknown }) => void;
}

/** The changes waiting for the next group commit of each database. */
const waiting = new WeakMap<Database, Job[]>();

/**
 * Runs `work` as one transaction and returns what it returns; a throw undoes every statement it
 * ran. `onCommit` runs once the change has committed, before any later change can commit, so what
 * it does (publishing events) happens in commit order.
 *
 * Why not knex's transactions: they cost three times a single insert (216 µs against 68 µs for
 * two inserts, measured), most of it promise machinery around statements that take microseconds.
 * The statements are built with the knex builder and run synchronously on the connection knex
 * pools.
 *
 * Group commit: the changes requested during one turn of the event loop commit together, each
 * inside its own savepoint (a failing one is rolled back alone). A commit writes every page it
 * touched to the WAL, ~50 µs even for one row; shared by the changes of a burst, it is paid
 * once. IMMEDIATE takes the write lock at BEGIN, so another process writing the same file makes
 * this wait (busy_timeout) rather than fail half-way (spec/decisions/0021).
 */
export function atomically<T>(db: Database, work: (tx: Tx) => T, onCommit?: (result: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let jobs = waiting.get(db);
    if (!jobs) {
      waiting.set(db, (jobs = []));
      setImmediate(() => void commitGroup(db));
    }
    jobs.push({
      work,
      onCommit: onCommit as Job['onCommit'],
      settle: (outcome) => (outcome.ok ? resolve(outcome.value as T) : reject(outcome.error)),
    });
  });
}

async function commitGroup(db: Database): Promise<void> {
  const jobs = waiting.get(db)!;
  waiting.delete(db);
  const client = db.client as unknown as PooledClient;
  let connection: SqliteConnection;
  try {
    connection = await client.acquireConnection();
  } catch (error) {
    for (const job of jobs) job.settle({ ok: false, error });
    return;
  }
  try {
    // knex reports each statement it runs as a 'query' event (the WAL checkpointer waits for a
    // quiet moment by them); these statements bypass knex, so the group reports itself.
    db.emit('query', { sql: 'group commit', bindings: [] });
    const tx = transactionOn(connection);
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    const statement = (sql: string) => connection.prepare(sql).run();
    statement('BEGIN IMMEDIATE');
    try {
      for (const job of jobs) {
        statement('SAVEPOINT forge_change');
        try {
          outcomes.push({ ok: true, value: job.work(tx) });
        } catch (error) {
          // A statement error may already have ended the whole transaction (SQLITE_FULL, …).
          if (!connection.inTransaction) throw error;
          statement('ROLLBACK TO forge_change');
          outcomes.push({ ok: false, error });
        }
        statement('RELEASE forge_change');
      }
      statement('COMMIT');
    } catch (error) {
      if (connection.inTransaction) statement('ROLLBACK');
      for (const job of jobs) job.settle({ ok: false, error });
      return;
    }
    // Still holding the connection: no other change commits before these hooks have run.
    jobs.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.onCommit?.(outcome.value);
    });
    jobs.forEach((job, i) => job.settle(outcomes[i]!));
  } finally {
    await client.releaseConnection(connection);
  }
}

function transactionOn(connection: SqliteConnection): Tx {
  const prepared = (query: Knex.QueryBuilder | Knex.Raw) => {
    const { sql, bindings } = query.toSQL().toNative();
    return { statement: connection.prepare(sql), bindings: (bindings as unknown[]).map(toSqliteValue) };
  };
  return {
    run(query) {
      const { statement, bindings } = prepared(query);
      const result = statement.run(...bindings);
      return { changes: result.changes, lastInsertRowid: Number(result.lastInsertRowid) };
    },
    all<Row>(query: Knex.QueryBuilder | Knex.Raw) {
      const { statement, bindings } = prepared(query);
      return statement.all(...bindings) as Row[];
    },
    first<Row>(query: Knex.QueryBuilder | Knex.Raw) {
      const { statement, bindings } = prepared(query);
      return statement.get(...bindings) as Row | undefined;
    },
  };
}

/** What knex's better-sqlite3 dialect does to a binding before it runs: SQLite has no booleans or dates. */
function toSqliteValue(value: unknown): unknown {
  if (typeof value === 'boolean') return Number(value);
  if (value instanceof Date) return value.valueOf();
  return value;
}
