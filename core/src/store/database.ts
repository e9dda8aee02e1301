import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { migrationSource } from '../../../migrations/index.ts';

export type Database = Knex;

/**
 * Opens the embedded SQLite database in `file` and brings its schema up to date.
 */
export async function openDatabase(file: string): Promise<Database> {
  const knex = connectSqlite(file);
  await knex.migrate.latest({ migrationSource });
  return knex;
}

/**
 * A knex instance on the SQLite file, with no migration run. The better-sqlite3 driver runs each
 * statement synchronously on the main thread: a small query costs tens of microseconds that
 * way, against a few hundred through the thread-pool hand-off of the asynchronous driver
 * (spec/decisions/0004). WAL with synchronous=NORMAL keeps commits off fsync (durable across a
 * process crash, though not across power loss) and lets readers run beside the writer.
 */
export function connectSqlite(file: string): Knex {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    // One connection: SQLite has one writer anyway, and a single connection means this process
    // can never see "database is locked" from itself.
    pool: {
      min: 1,
      max: 1,
      afterCreate(connection: SqliteConnection, done: (error: Error | null, connection: unknown) => void) {
        try {
          // secure_delete=FAST zeroes what a delete or a rewritten row leaves on its page, at no
          // extra I/O, so a credential scrubbed from a row is gone from the file too (decision 0015).
          for (const pragma of ['journal_mode = WAL', 'synchronous = NORMAL', 'foreign_keys = ON', 'busy_timeout = 5000', 'secure_delete = FAST']) {
            connection.pragma(pragma);
          }
          reusePreparedStatements(connection);
          done(null, connection);
        } catch (error) {
          done(error as Error, connection);
        }
      },
    },
  });
}

interface SqliteConnection {
  pragma(sql: string): unknown;
  prepare(sql: string): unknown;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * knex prepares every statement afresh, and compiling the SQL took about as long as running it
 * (50 µs of each ~100 µs statement, profiled on the attempt-start path). Queries repeat the same
 * SQL text with new bindings, so the compiled statements are kept and reused. This is safe with
 * better-sqlite3: a statement runs to completion synchronously before the next is used.
 */
function reusePreparedStatements(connection: SqliteConnection): void {
  const prepare = connection.prepare.bind(connection);
  const cache = new Map<string, unknown>();
  connection.prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      // Oldest first out: the hot statements are re-added at once if they ever fall out.
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
    }
    return statement;
  };
}
