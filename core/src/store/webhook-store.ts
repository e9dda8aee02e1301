import type { Database } from './database.ts';
import { fetchPage, type Page, type PageRequest } from './page.ts';
import { rowPatch } from './row-patch.ts';
import type { Tx } from './transaction.ts';

/** A webhook subscription as stored; its secret only ever sealed. */
export interface StoredWebhook {
  id: string;
  url: string;
  /** Patterns of event types: "*", "task.*", "attempt.updated", … */
  eventTypes: string[];
  sealedSecret: string;
  description: string | null;
  active: boolean;
  /** The newest event when it was made: it is sent only later ones. */
  afterEvent: number;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookChanges {
  url?: string | undefined;
  eventTypes?: string[] | undefined;
  sealedSecret?: string | undefined;
  description?: string | null | undefined;
  active?: boolean | undefined;
}

interface WebhookRow {
  id: string;
  url: string;
  event_types: string;
  sealed_secret: string;
  description: string | null;
  active: number | boolean;
  after_event: number;
  created_at: string;
  updated_at: string;
}

const toWebhook = (row: WebhookRow): StoredWebhook => ({
  id: row.id,
  url: row.url,
  eventTypes: JSON.parse(row.event_types),
  sealedSecret: row.sealed_secret,
  description: row.description,
  active: Boolean(row.active),
  afterEvent: row.after_event,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const COLUMNS: Record<keyof WebhookChanges, string> = {
  url: 'url',
  eventTypes: 'event_types',
  sealedSecret: 'sealed_secret',
  description: 'description',
  active: 'active',
};

/** Webhook subscriptions; writes run inside the caller's transaction. */
export class WebhookStore {
  constructor(private readonly db: Database) {}

  async get(id: string): Promise<StoredWebhook | undefined> {
    const row = await this.db<WebhookRow>('webhooks').where({ id }).first();
    return row && toWebhook(row);
  }

  /** The subscription as the caller's transaction sees it. */
  getIn(tx: Tx, id: string): StoredWebhook | undefined {
    const row = tx.first<WebhookRow>(this.db('webhooks').where({ id }));
    return row && toWebhook(row);
  }

  list(page: PageRequest): Promise<Page<StoredWebhook>> {
    return fetchPage(this.db('webhooks').select('*'), page, toWebhook);
  }

  /** The active subscriptions, read inside the fan-out's transaction so it sees exactly what is committed with it. */
  active(tx: Tx): StoredWebhook[] {
    return tx.all<WebhookRow>(this.db('webhooks').where({ active: true }).orderBy('id')).map(toWebhook);
  }

  insert(tx: Tx, webhook: StoredWebhook): void {
    tx.run(
      this.db('webhooks').insert({
        id: webhook.id,
        url: webhook.url,
        event_types: JSON.stringify(webhook.eventTypes),
        sealed_secret: webhook.sealedSecret,
        description: webhook.description,
        active: webhook.active,
        after_event: webhook.afterEvent,
        created_at: webhook.createdAt,
        updated_at: webhook.updatedAt,
      }),
    );
  }

  /** Applies the changes given; false when there is no such subscription. */
  update(tx: Tx, id: string, changes: WebhookChanges): boolean {
    const patch = rowPatch({ ...changes, eventTypes: changes.eventTypes && JSON.stringify(changes.eventTypes) }, COLUMNS);
    return tx.run(this.db('webhooks').where({ id }).update(patch)).changes > 0;
  }

  /** Deletes the subscription and, by cascade, its deliveries; false when there was none. */
  delete(tx: Tx, id: string): boolean {
    return tx.run(this.db('webhooks').where({ id }).delete()).changes > 0;
  }
}
