import type { Knex } from 'knex';

/**
 * Pull requests (spec/decisions/0030): at most one per attempt, opened on the project's code
 * host from the attempt's branch. The row keeps what the poller last read (state, head commit,
 * checks) and what the reactions have done (the failure already answered, the review comments
 * already seen, the follow-ups spent), so a restart neither repeats nor forgets a reaction.
 *
 * Projects get the provider that serves them when their remote alone does not say (a
 * self-hosted instance), its API base URL, and their reaction settings (off when null).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pull_requests', (t) => {
    t.string('attempt_id', 36).primary().references('id').inTable('attempts').onDelete('CASCADE');
    t.string('provider', 40).notNullable();
    t.string('host', 255).notNullable();
    t.string('owner', 255).notNullable();
    t.string('repo', 255).notNullable();
    t.string('api_base_url', 1000).notNullable();
    t.integer('number').notNullable();
    t.string('url', 2000).notNullable();
    t.string('state', 16).notNullable();
    t.boolean('draft').notNullable();
    t.string('title', 1000).notNullable();
    t.string('head', 255).notNullable();
    t.string('base', 255).notNullable();
    t.string('head_sha', 64).nullable();
    t.string('checks_state', 16).nullable();
    t.text('checks').nullable();
    t.text('seen_comment_ids').notNullable().defaultTo('[]');
    t.string('answered_failure_sha', 64).nullable();
    t.string('reaction_pending', 16).nullable();
    t.integer('reactions_used').notNullable().defaultTo(0);
    t.string('budget_spent_at', 32).nullable();
    t.string('error_code', 64).nullable();
    t.text('error_message').nullable();
    t.string('polled_at', 32).nullable();
    t.string('next_poll_at', 32).notNullable();
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    t.index(['state', 'next_poll_at']);
  });
  await knex.schema.alterTable('projects', (t) => {
    t.string('git_provider', 40).nullable();
    t.string('git_provider_api_url', 1000).nullable();
    t.text('pull_request_reactions').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  // Plain DROP COLUMN (SQLite >= 3.35, PostgreSQL): knex's dropColumn rebuilds a SQLite table.
  for (const column of ['pull_request_reactions', 'git_provider_api_url', 'git_provider']) await knex.raw(`ALTER TABLE projects DROP COLUMN ${column}`);
  await knex.schema.dropTable('pull_requests');
}
