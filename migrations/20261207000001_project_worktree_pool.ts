import type { Knex } from 'knex';

/** A project's own size of its warm worktree pool (decision 0042); null: the server's FORGE_WORKTREE_POOL_SIZE. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('projects', (t) => {
    t.integer('worktree_pool_size').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  // Plain DROP COLUMN (SQLite >= 3.35, PostgreSQL): knex's dropColumn rebuilds a SQLite table.
  await knex.raw('ALTER TABLE projects DROP COLUMN worktree_pool_size');
}
