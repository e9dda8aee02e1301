import type { Knex } from 'knex';

/**
 * The persisted event log (spec/decisions/0021): every state change appends one row here in the
 * same transaction as the change. `seq` is the cursor clients resume from. It is SQLite's rowid,
 * which takes the largest plus one; pruning always keeps the newest event, so no number is ever
 * handed out twice. Not AUTOINCREMENT, and no index on `ts`: each costs another page written per
 * commit, on the busiest write path (pruning by age finds its cut by seq, event-store.ts).
 * `subject` is the id of what changed, for readers that follow one project, task or attempt.
 *
 * Attempts also record their phases: when the worktree was ready and when the agent started.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('events', (t) => {
    t.integer('seq').primary();
    t.string('type', 64).notNullable();
    t.string('subject', 64).notNullable();
    t.string('ts', 32).notNullable();
    t.text('data').notNullable();
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
