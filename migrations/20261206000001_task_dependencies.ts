import type { Knex } from 'knex';

/**
 * Task dependencies come alive (spec/decisions/0032). A task records why its chain stopped:
 * `blocked_reason` is the text shown, `blocked_by_task_id` the task whose stop it tells (the task
 * itself for its own stop: a merge or an automatic start that failed). No foreign key on it: it is
 * recomputed whenever that task changes or goes, and SQLite cannot drop a column a key names.
 *
 * A project says what starts its autoStart tasks (an executor or a profile, at most one) and
 * whether an autoStart task's succeeded attempt is merged into its base without a person.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tasks', (t) => {
    t.text('blocked_reason').nullable();
    t.string('blocked_by_task_id', 36).nullable();
  });
  await knex.schema.alterTable('projects', (t) => {
    t.string('default_executor', 64).nullable();
    t.string('default_profile', 64).nullable();
    t.boolean('auto_merge').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  // Plain DROP COLUMN (SQLite >= 3.35, PostgreSQL): knex's dropColumn rebuilds a SQLite table.
  for (const column of ['auto_merge', 'default_profile', 'default_executor']) await knex.raw(`ALTER TABLE projects DROP COLUMN ${column}`);
  for (const column of ['blocked_by_task_id', 'blocked_reason']) await knex.raw(`ALTER TABLE tasks DROP COLUMN ${column}`);
}
