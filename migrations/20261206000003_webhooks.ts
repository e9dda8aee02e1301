import type { Knex } from 'knex';

/**
 * Webhooks (spec/decisions/0033). `webhooks` holds the subscriptions, each secret sealed with the
 * server's secret key; `after_event` is the newest event when the subscription was made, so it is
 * sent only what happened later. `webhook_deliveries` holds one row per event sent to one
 * subscription, with the exact body every retry sends again, its state and its retry schedule:
 * they outlive a restart (at-least-once). `webhook_dispatch` is one row per reader of the event
 * log: how far it has fanned events out into deliveries, moved in the fan-out's own transaction.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhooks', (t) => {
    t.string('id', 36).primary();
    t.string('url', 2000).notNullable();
    t.text('event_types').notNullable();
    t.text('sealed_secret').notNullable();
    t.string('description', 1000).nullable();
    t.boolean('active').notNullable();
    t.integer('after_event').notNullable();
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.string('id', 36).primary();
    t.string('webhook_id', 36).notNullable().references('id').inTable('webhooks').onDelete('CASCADE');
    t.string('event_id', 20).notNullable();
    t.string('event_type', 64).notNullable();
    t.text('body').notNullable();
    t.string('state', 16).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('next_attempt_at', 32).nullable();
    t.string('last_attempt_at', 32).nullable();
    t.integer('last_status').nullable();
    t.string('last_error', 1000).nullable();
    t.integer('duration_ms').nullable();
    t.string('response_excerpt', 1000).nullable();
    t.string('redelivery_of', 36).nullable();
    t.string('delivered_at', 32).nullable();
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    // When the next retry is due; each subscription's oldest pending delivery; a subscription's log, newest first.
    t.index(['state', 'next_attempt_at'], 'webhook_deliveries_due_idx');
    t.index(['webhook_id', 'state', 'id'], 'webhook_deliveries_head_idx');
    t.index(['webhook_id', 'id'], 'webhook_deliveries_log_idx');
  });
  await knex.schema.createTable('webhook_dispatch', (t) => {
    t.string('name', 40).primary();
    t.integer('event_cursor').notNullable();
    t.string('last_gap_at', 32).nullable();
    t.string('last_gap_reason', 1000).nullable();
    t.string('updated_at', 32).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('webhook_dispatch');
  await knex.schema.dropTable('webhook_deliveries');
  await knex.schema.dropTable('webhooks');
}
