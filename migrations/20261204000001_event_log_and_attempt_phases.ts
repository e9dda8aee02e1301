import type { Knex } from 'knex';

/**
 * The persisted event log (spec/decisions/0021): every state change appends one row here in the
 * same transaction as the change. `seq` only ever grows (AUTOINCREMENT: a pruned number is never
 * handed out again), so it is the cursor clients resume from. `subject` is the id of what changed,
 * for readers that follow one project, task or attempt.
 *
 * Attempts also record their phases: when the worktree was ready and when the agent started.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('events', (t) => {
    t.increments('seq').primary();
    t.string('type', 64).notNullable();
    t.string('subject', 64).notNullable();
    t.string('ts', 32).notNullable();
    t.text('data').notNullable();
    t.index(['ts'], 'events_ts_index');
  });
  await knex.schema.alterTable('attempts', (t) => {
    t.string('worktree_ready_at', 32).nullable();
    t.string('agent_started_at', 32).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  // Plain DROP COLUMN (SQLite >= 3.35, PostgreSQL): knex's dropColumn rebuilds a SQLite table.
  await knex.raw('ALTER TABLE attempts DROP COLUMN agent_started_at');
  await knex.raw('ALTER TABLE attempts DROP COLUMN worktree_ready_at');
  await knex.schema.dropTable('events');
}
