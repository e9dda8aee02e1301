import type { Knex } from 'knex';

/**
 * Approvals: what an agent asked to do, and the answer (spec/decisions/0024). A row is written
 * pending when a pack asks, and moved once: approved or denied (by a person, a rule or the
 * timeout) or cancelled (the run ended first). `scope` always: the same tool is decided the same
 * way for the rest of the attempt without asking, so those rows are what later requests consult.
 *
 * Executor profiles: named options for an executor, made through the API (those in the
 * configuration file are not stored). Secret options are sealed as an attempt's are.
 *
 * An attempt that failed for a rate limit records when the agent said to try again.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('approvals', (t) => {
    t.string('id', 36).primary();
    t.string('attempt_id', 36).notNullable().references('id').inTable('attempts').onDelete('CASCADE');
    t.string('process_id', 36).notNullable().references('id').inTable('processes').onDelete('CASCADE');
    t.string('state', 16).notNullable();
    t.string('tool', 255).notNullable();
    t.text('request').notNullable();
    t.string('scope', 16).nullable();
    t.string('decided_by', 16).nullable();
    t.text('reason').nullable();
    t.string('created_at', 32).notNullable();
    t.string('expires_at', 32).notNullable();
    t.string('decided_at', 32).nullable();
    t.index(['state', 'created_at']);
    t.index(['attempt_id', 'tool']);
  });
  await knex.schema.createTable('executor_profiles', (t) => {
    t.string('name', 64).primary();
    t.string('executor_id', 40).notNullable();
    t.text('description').nullable();
    t.text('options').notNullable();
    t.text('sealed_options').nullable();
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });
  await knex.schema.alterTable('attempts', (t) => {
    t.string('error_retry_at', 32).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  // Plain DROP COLUMN (SQLite >= 3.35, PostgreSQL): knex's dropColumn rebuilds a SQLite table.
  await knex.raw('ALTER TABLE attempts DROP COLUMN error_retry_at');
  await knex.schema.dropTable('executor_profiles');
  await knex.schema.dropTable('approvals');
}
