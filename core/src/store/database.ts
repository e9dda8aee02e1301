import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { migrationSource } from '../../../migrations/index.ts';

export type Database = Knex;

/**
 * Opens the embedded SQLite database in `file` and brings its schema up to date. WAL with synchronous=NORMAL keeps commits off fsync (durable across a
 * process crash, which is what we need, though not across power loss) and lets readers run
 * beside the writer.
 */
export async function openDatabase(file: string): Promise<Database> {
  const knex = openSqlite(file);
  await knex.migrate.latest({ migrationSource });
  return knex;
}

function openSqlite(file: string): Knex {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  return knexFactory({
    client: 'sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    // One connection: SQLite has one writer anyway, and a single connection means this process
    // can never see "database is locked" from itself.
    pool: {
      min: 1,
      max: 1,
      afterCreate(connection: { exec(sql: string, done: (error: Error | null) => void): void }, done: (error: Error | null, connection: unknown) => void) {
        connection.exec(
          'PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;',
          (error) => done(error, connection),
        );
      },
    },
  });
}

