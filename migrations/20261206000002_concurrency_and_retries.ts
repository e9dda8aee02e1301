import type { Knex } from 'knex';

/**
 * Caps changed at run time through the API outlive a restart (a row overrides the configured
 * value; no row: the configuration's), and an attempt counts the rate-limit retries it has had.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('concurrency_limits', (t) => {
    // 'global' (key '') or 'executor' (key: the executor id).
    t.string('scope', 16).notNullable().checkIn(['global', 'executor'], 'concurrency_limits_scope_check');
    t.string('key', 128).notNullable();
    t.integer('max_running').notNullable();
    t.text('updated_at').notNullable();
    t.primary(['scope', 'key']);
  });
  await knex.schema.alterTable('attempts', (t) => {
    t.integer('retry_count').notNullable().defaultTo(0);
    // The scheduler reads, at each pass, which failed attempts' rate limits still hold their executor.
    t.index(['state', 'error_retry_at'], 'attempts_retry_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('attempts', (t) => {
    t.dropIndex(['state', 'error_retry_at'], 'attempts_retry_idx');
  });
  // Plain DROP COLUMN (SQLite >= 3.35, PostgreSQL): knex's dropColumn rebuilds a SQLite table.
  await knex.raw('ALTER TABLE attempts DROP COLUMN retry_count');
  await knex.schema.dropTable('concurrency_limits');
}
