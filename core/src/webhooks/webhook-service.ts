import { ForgeError } from '@forge-core/sdk';
import type { EventLog } from '../events/event-log.ts';
import { now } from '../store/clock.ts';
import { newId } from '../store/ids.ts';
import type { Page, PageRequest } from '../store/page.ts';
import { SWITCHED_OFF, type DeliveryState, type WebhookDeliveryLifecycle } from '../lifecycle/webhook-delivery-lifecycle.ts';
import type { StoredDelivery, WebhookDeliveryStore } from '../store/webhook-delivery-store.ts';
import type { StoredWebhook, WebhookStore } from '../store/webhook-store.ts';
import { redeliveryBody, type DeliveryBody } from './delivery-body.ts';
import type { TargetGuard } from './target-guard.ts';
import { WebhookSecrets } from './webhook-secrets.ts';

/** A subscription as clients see it: never its secret. */
export interface Webhook {
  id: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The answer to creating one: the only time its secret is shown. */
export interface CreatedWebhook extends Webhook {
  secret: string;
}

export interface WebhookInput {
  url: string;
  eventTypes: string[];
  secret?: string | undefined;
  description?: string | null | undefined;
  active?: boolean | undefined;
}

export type WebhookChanges = Partial<Omit<WebhookInput, 'description'>> & { description?: string | null | undefined };

/** A delivery in the subscription's log. */
export interface DeliverySummary {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  state: DeliveryState;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  durationMs: number | null;
  redeliveryOf: string | null;
  deliveredAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One delivery with the body it sends and the start of the last answer. */
export interface DeliveryDetail extends DeliverySummary {
  payload: DeliveryBody;
  responseExcerpt: string | null;
}

export interface DeliveryFilter {
  state?: DeliveryState | undefined;
}

/**
 * Webhook subscriptions and their delivery logs, for the API. Secrets are sealed before they are
 * stored and shown once, in the answer that creates them. A URL is checked against the target
 * guard (SSRF) whenever it is set.
 */
export class WebhookService {
  constructor(
    private readonly events: EventLog,
    private readonly webhooks: WebhookStore,
    private readonly deliveries: WebhookDeliveryStore,
    private readonly lifecycle: WebhookDeliveryLifecycle,
    private readonly secrets: WebhookSecrets,
    private readonly guard: TargetGuard,
    /** Tells the deliverer a delivery was made outside the fan-out (a redelivery). */
    private readonly wakeDeliverer: () => void,
    /** Tells the deliverer's listeners of deliveries failed by switching their subscription off. */
    private readonly reportFailed: (count: number) => void,
    private readonly maxAttempts: number,
  ) {}

  async create(input: WebhookInput): Promise<CreatedWebhook> {
    await this.guard.checkUrl(input.url);
    const id = newId();
    const secret = input.secret ?? WebhookSecrets.generate();
    const timestamp = now();
    const stored: StoredWebhook = {
      id,
      url: input.url,
      eventTypes: unique(input.eventTypes),
      sealedSecret: this.secrets.seal(id, secret),
      description: input.description || null,
      active: input.active ?? true,
      // Events up to the newest one now happened before it existed: it is not sent those.
      afterEvent: Number(this.events.latestId),
      createdAt: timestamp,
      updatedAt: timestamp,
    };
    await this.events.transact((tx) => this.webhooks.insert(tx, stored));
    return { ...shown(stored), secret };
  }

  async list(page: PageRequest): Promise<Page<Webhook>> {
    const found = await this.webhooks.list(page);
    return { items: found.items.map(shown), nextCursor: found.nextCursor };
  }

  async get(id: string): Promise<Webhook> {
    return shown(await this.stored(id));
  }

  /** Changes what is given; a subscription switched off fails the deliveries still waiting. */
  async update(id: string, changes: WebhookChanges): Promise<Webhook> {
    await this.stored(id);
    if (changes.url !== undefined) await this.guard.checkUrl(changes.url);
    let failed = 0;
    const updated = await this.events.transact((tx) => {
      const found = this.webhooks.update(tx, id, {
        url: changes.url,
        eventTypes: changes.eventTypes && unique(changes.eventTypes),
        sealedSecret: changes.secret === undefined ? undefined : this.secrets.seal(id, changes.secret),
        description: changes.description === '' ? null : changes.description,
        active: changes.active,
      });
      if (found && changes.active === false) failed = this.lifecycle.failPending(tx, id, SWITCHED_OFF);
      return found;
    });
    this.reportFailed(failed);
    if (!updated) throw notFound(id);
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    const deleted = await this.events.transact((tx) => this.webhooks.delete(tx, id));
    if (!deleted) throw notFound(id);
  }

  async deliveryLog(webhookId: string, filter: DeliveryFilter, page: PageRequest): Promise<Page<DeliverySummary>> {
    await this.stored(webhookId);
    const found = await this.deliveries.page(webhookId, filter, page);
    return { items: found.items.map((delivery) => this.summary(delivery)), nextCursor: found.nextCursor };
  }

  async delivery(webhookId: string, deliveryId: string): Promise<DeliveryDetail> {
    await this.stored(webhookId);
    const delivery = await this.deliveries.get(webhookId, deliveryId);
    if (!delivery) throw deliveryNotFound(webhookId, deliveryId);
    return { ...this.summary(delivery), payload: JSON.parse(delivery.body), responseExcerpt: delivery.responseExcerpt };
  }

  /** A new delivery of the same event (same event id, a new delivery id, attempts from zero), due at once. */
  async redeliver(webhookId: string, deliveryId: string): Promise<DeliverySummary> {
    const webhook = await this.stored(webhookId);
    if (!webhook.active) {
      throw new ForgeError('FORGE_CONFLICT', `The webhook subscription ${webhookId} is switched off; switch it on (PATCH active: true) to redeliver.`, { webhookId });
    }
    const original = await this.deliveries.get(webhookId, deliveryId);
    if (!original) throw deliveryNotFound(webhookId, deliveryId);
    const id = newId();
    const copy = { id, webhookId, eventId: original.eventId, eventType: original.eventType, body: redeliveryBody(id, original.body), redeliveryOf: original.id };
    await this.events.transact((tx) => this.lifecycle.insert(tx, [copy], now()));
    this.wakeDeliverer();
    return this.summary((await this.deliveries.get(webhookId, id))!);
  }

  private async stored(id: string): Promise<StoredWebhook> {
    const webhook = await this.webhooks.get(id);
    if (!webhook) throw notFound(id);
    return webhook;
  }

  private summary({ body: _body, responseExcerpt: _excerpt, ...delivery }: StoredDelivery): DeliverySummary {
    return { ...delivery, maxAttempts: this.maxAttempts };
  }
}

function shown({ sealedSecret: _secret, afterEvent: _after, ...webhook }: StoredWebhook): Webhook {
  return webhook;
}

const unique = (values: readonly string[]) => [...new Set(values)];

function notFound(id: string): ForgeError {
  return new ForgeError('FORGE_NOT_FOUND', `No webhook subscription has the id ${id}.`, { webhookId: id });
}

function deliveryNotFound(webhookId: string, deliveryId: string): ForgeError {
  return new ForgeError('FORGE_NOT_FOUND', `The webhook subscription ${webhookId} has no delivery ${deliveryId}.`, { webhookId, deliveryId });
}
