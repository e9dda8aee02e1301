import type { Knex } from 'knex';

/** Projects, tasks and their dependencies, attempts, processes and the append-only log. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('projects', (t) => {
    t.string('id', 36).primary();
    t.string('name', 200).notNullable();
    t.string('repo_path', 4096).notNullable().unique();
    t.string('remote_url', 2048).nullable();
    t.string('default_branch', 255).notNullable();
    t.text('setup_script').nullable();
    t.text('cleanup_script').nullable();
    t.text('dev_script').nullable();
    t.integer('max_concurrent_attempts').nullable();
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });

  await knex.schema.createTable('tasks', (t) => {
    t.string('id', 36).primary();
    t.string('project_id', 36).notNullable().references('id').inTable('projects').onDelete('CASCADE');
    t.string('title', 500).notNullable();
    t.text('description').nullable();
    t.string('status', 16).notNullable().defaultTo('todo').checkIn(['todo', 'inprogress', 'inreview', 'done', 'cancelled'], 'tasks_status_check');
    t.integer('priority').notNullable().defaultTo(0);
    t.string('parent_task_id', 36).nullable().references('id').inTable('tasks').onDelete('SET NULL');
    t.boolean('auto_start').notNullable().defaultTo(false);
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    t.index(['project_id', 'id'], 'tasks_project_idx');
    t.index(['status', 'id'], 'tasks_status_idx');
  });

  await knex.schema.createTable('task_dependencies', (t) => {
    t.string('task_id', 36).notNullable().references('id').inTable('tasks').onDelete('CASCADE');
    t.string('depends_on_task_id', 36).notNullable().references('id').inTable('tasks').onDelete('CASCADE');
    t.primary(['task_id', 'depends_on_task_id']);
    t.index(['depends_on_task_id'], 'task_dependencies_reverse_idx');
  });

  await knex.schema.createTable('attempts', (t) => {
    t.string('id', 36).primary();
    t.string('task_id', 36).notNullable().references('id').inTable('tasks').onDelete('CASCADE');
    t.string('executor_id', 64).notNullable();
    t.string('executor_package', 214).notNullable();
    t.string('executor_version', 64).notNullable();
    t.string('contract_version', 32).notNullable();
    t.text('options').notNullable();
    t.text('prompt').notNullable();
    t.text('follow_up_prompt').nullable();
    t.string('branch', 255).notNullable();
    t.string('base_branch', 255).notNullable();
    t.string('worktree_path', 4096).nullable();
    t.string('state', 16).notNullable().checkIn(['queued', 'preparing', 'running', 'succeeded', 'failed', 'cancelled'], 'attempts_state_check');
    t.string('agent_session_id', 255).nullable();
    t.string('node_id', 64).nullable();
    t.string('lease_until', 32).nullable();
    t.integer('fencing_token').notNullable().defaultTo(0);
    t.string('error_code', 64).nullable();
    t.text('error_message').nullable();
    t.string('merge_commit', 64).nullable();
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    t.string('started_at', 32).nullable();
    t.string('finished_at', 32).nullable();
    t.index(['task_id', 'id'], 'attempts_task_idx');
    t.index(['state', 'id'], 'attempts_state_idx');
  });

  await knex.schema.createTable('processes', (t) => {
    t.string('id', 36).primary();
    t.string('attempt_id', 36).notNullable().references('id').inTable('attempts').onDelete('CASCADE');
    t.string('kind', 16).notNullable().checkIn(['setup', 'agent', 'cleanup', 'dev'], 'processes_kind_check');
    t.string('status', 16).notNullable().checkIn(['running', 'succeeded', 'failed', 'cancelled'], 'processes_status_check');
    t.integer('pid').nullable();
    t.integer('exit_code').nullable();
    t.text('error').nullable();
    t.string('started_at', 32).notNullable();
    t.string('finished_at', 32).nullable();
    t.index(['attempt_id', 'id'], 'processes_attempt_idx');
  });

  // Append-only: one row per event, never one growing row (the reference grew a single text
  // column per process, which made every append O(size of the log)).
  await knex.schema.createTable('log_entries', (t) => {
    t.increments('id').primary();
    t.string('attempt_id', 36).notNullable().references('id').inTable('attempts').onDelete('CASCADE');
    t.string('process_id', 36).notNullable().references('id').inTable('processes').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.string('ts', 32).notNullable();
    t.string('kind', 32).notNullable();
    t.text('payload').notNullable();
    t.unique(['attempt_id', 'seq'], { indexName: 'log_entries_attempt_seq_unique' });
    t.index(['process_id'], 'log_entries_process_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('log_entries');
  await knex.schema.dropTable('processes');
  await knex.schema.dropTable('attempts');
  await knex.schema.dropTable('task_dependencies');
  await knex.schema.dropTable('tasks');
  await knex.schema.dropTable('projects');
}
