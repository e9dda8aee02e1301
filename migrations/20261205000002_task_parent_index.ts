import type { Knex } from 'knex';

/** A parent task shows how many of its subtasks are in each status: that count reads children by parent. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tasks', (t) => {
    t.index(['parent_task_id', 'status'], 'tasks_parent_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tasks', (t) => {
    t.dropIndex(['parent_task_id', 'status'], 'tasks_parent_idx');
  });
}
