import type { Knex } from 'knex';

/**
 * When each process's pid started (an opaque token), so recovery can tell the process group a
 * dead server left behind from an unrelated process that was given the same pid since.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('processes', (t) => {
    t.string('pid_start_time', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  // Plain DROP COLUMN (SQLite >= 3.35, PostgreSQL): knex's dropColumn rebuilds a SQLite table,
  // rewriting its definition, so down would not give back the schema before up.
  await knex.raw('ALTER TABLE processes DROP COLUMN pid_start_time');
}
