import type { Logger } from 'pino';
import type { ForgeConfig } from '../config/config.ts';
import { CORE_VERSION } from '../core-package.ts';
import type { EventLog } from '../events/event-log.ts';
import type { Database } from '../store/database.ts';
import type { SecretBox } from '../store/secret-box.ts';
import { WebhookDeliveryLifecycle } from '../lifecycle/webhook-delivery-lifecycle.ts';
import { WebhookDeliveryStore } from '../store/webhook-delivery-store.ts';
import { WebhookStore } from '../store/webhook-store.ts';
import { WebhookDispatcher } from './dispatcher.ts';
import { TargetGuard } from './target-guard.ts';
import { WebhookSecrets } from './webhook-secrets.ts';
import { WebhookService } from './webhook-service.ts';

/** Deliveries sent at once, all subscriptions together (one at a time per subscription). */
const MAX_IN_FLIGHT = 8;

export interface Webhooks {
  /** Subscriptions and delivery logs, for the API. */
  service: WebhookService;
  /** Fan-out and delivery; started only when the webhooks feature is on. */
  dispatcher: WebhookDispatcher;
}

/** Wires the webhooks (spec/decisions/0033) from the configuration. */
export function createWebhooks(db: Database, events: EventLog, box: SecretBox, config: ForgeConfig, logger: Logger): Webhooks {
  const webhooks = new WebhookStore(db);
  const deliveries = new WebhookDeliveryStore(db);
  const lifecycle = new WebhookDeliveryLifecycle(db);
  const secrets = new WebhookSecrets(box);
  const policy = { allowPrivateTargets: config.webhookAllowPrivateTargets, allowedTargets: config.webhookAllowedTargets };
  const dispatcher = new WebhookDispatcher(
    events,
    webhooks,
    deliveries,
    lifecycle,
    secrets,
    {
      ...policy,
      timeoutMs: config.webhookTimeoutMs,
      maxAttempts: config.webhookMaxAttempts,
      baseMs: config.webhookRetryBaseMs,
      maxMs: config.webhookRetryMaxMs,
      maxInFlight: MAX_IN_FLIGHT,
      userAgent: `ForgeCore-Webhooks/${CORE_VERSION}`,
      // Deliveries are kept as long as the events they carry.
      retentionMs: config.eventRetentionMs,
    },
    logger.child({ component: 'webhooks' }),
  );
  const service = new WebhookService(events, webhooks, deliveries, lifecycle, secrets, new TargetGuard(policy), () => dispatcher.wake(), (count) => dispatcher.reportFailed(count), config.webhookMaxAttempts);
  return { service, dispatcher };
}
