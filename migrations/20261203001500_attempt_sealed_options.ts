import type { Knex } from 'knex';

/**
 * Secret executor options leave `attempts.options` (which keeps a marker in their place) for
 * `sealed_options`, encrypted with the server's key (spec/decisions/0015). `options_redacted`
 * tells rows written that way from older rows whose options may still hold secrets in clear;
 * those are sealed at the next start.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('attempts', (t) => {
    t.text('sealed_options').nullable();
    t.boolean('options_redacted').notNullable().defaultTo(false);
  });
}

/** Sealed secrets go with their column: a follow-up after this down runs without them. */
export async function down(knex: Knex): Promise<void> {
  // Plain DROP COLUMN (SQLite >= 3.35, PostgreSQL): knex's dropColumn rebuilds a SQLite table,
  // rewriting its definition, so down would not give back the schema before up.
  await knex.raw('ALTER TABLE attempts DROP COLUMN options_redacted');
  await knex.raw('ALTER TABLE attempts DROP COLUMN sealed_options');
}
