import type { ForgeErrorCode } from '@forge-core/sdk';
import Joi from 'joi';
import { WEBHOOK_EVENT_PATTERNS } from '../../webhooks/event-patterns.ts';
import type { DeliveryFilter, WebhookChanges, WebhookInput } from '../../webhooks/webhook-service.ts';
import { cursor, id, limit, pageOf, timestamp, webhookDeliveryState } from '../schemas.ts';
import { defineOperation, type McpExposure } from './operation.ts';

const tags = ['webhooks'];
const mcp: McpExposure = { notATool: 'webhook subscriptions are operator configuration (where events go, with which secret), made through the REST API' };
const webhookPath = Joi.object({ webhookId: id('webhook').required() });
const deliveryPath = Joi.object({ webhookId: id('webhook').required(), deliveryId: id('delivery').required() });

// Read as a browser would (WHATWG URL), so an international host name is taken, in punycode.
const url = Joi.string()
  .max(2000)
  .custom((value: string, helpers) => {
    const parsed = URL.canParse(value) ? new URL(value) : null;
    if (parsed && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) return parsed.href;
    return helpers.message({ custom: '"url" must be an absolute http or https URL, e.g. https://ci.example.com/forge' });
  })
  .description('where deliveries are POSTed; private, loopback and link-local hosts are refused unless the configuration allows them');
const eventTypes = Joi.array()
  .items(Joi.string().valid(...WEBHOOK_EVENT_PATTERNS))
  .min(1)
  .max(50)
  .description('the events to send: "*" (all of tasks, attempts, approvals and pull requests), a family ("task.*") or a type ("attempt.updated")');
// No pattern on the secret: joi would quote the refused value in its message, and so in the answer.
const secret = Joi.string().min(16).max(256).description('signs each delivery (HMAC-SHA256); one is generated when none is given. Shown once, in the answer that creates the subscription');
const description = Joi.string().max(1000).allow(null, '');
const active = Joi.boolean().strict().description('false: no deliveries are made for it, and those waiting fail');

const webhookFields = {
  id: Joi.string().required(),
  url: Joi.string().required(),
  eventTypes: Joi.array().items(Joi.string()).required(),
  description: Joi.string().allow(null, '').required(),
  active: Joi.boolean().required(),
  createdAt: timestamp.required(),
  updatedAt: timestamp.required(),
};
const webhookModel = Joi.object(webhookFields).label('Webhook');
const createdWebhookModel = Joi.object({
  ...webhookFields,
  secret: Joi.string().required().description('the signing secret, shown this once: keep it where the receiver can read it'),
}).label('CreatedWebhook');

const deliveryFields = {
  id: Joi.string().required().description('also the Forge-Webhook-Id header and the body\'s "id": the same in every attempt of this delivery'),
  webhookId: Joi.string().required(),
  eventId: Joi.string().required().description('the event\'s id in the event log (GET /events): the same in a redelivery'),
  eventType: Joi.string().required(),
  state: webhookDeliveryState.required().description('pending (waiting for its first attempt or a retry), delivering, succeeded, failed (its attempts are spent)'),
  attempts: Joi.number().integer().min(0).required(),
  maxAttempts: Joi.number().integer().min(1).required(),
  nextAttemptAt: timestamp.allow(null).required().description('when it is sent next; null once it is delivering, succeeded or failed'),
  lastAttemptAt: timestamp.allow(null).required(),
  lastStatus: Joi.number().integer().allow(null).required().description("the receiver's HTTP status at the last attempt; null when none came (timeout, connection refused, refused target)"),
  lastError: Joi.string().allow(null).required().description('why the last attempt did not count as delivered'),
  durationMs: Joi.number().integer().min(0).allow(null).required().description('how long the last attempt took'),
  redeliveryOf: Joi.string().allow(null).required().description('the delivery this one sends again'),
  deliveredAt: timestamp.allow(null).required(),
  createdAt: timestamp.required(),
  updatedAt: timestamp.required(),
};
const deliveryModel = Joi.object(deliveryFields).label('WebhookDelivery');
const deliveryDetailModel = Joi.object({
  ...deliveryFields,
  payload: Joi.object({ id: Joi.string().required(), event: Joi.object().unknown(true).required() })
    .unknown(true)
    .required()
    .description('the JSON body every attempt of this delivery POSTs'),
  responseExcerpt: Joi.string().allow(null).required().description("the start of the receiver's last answer (at most 500 characters)"),
}).label('WebhookDeliveryDetail');

const READ_ERRORS: ForgeErrorCode[] = ['FORGE_FEATURE_DISABLED', 'FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND'];
const TARGET_ERRORS: ForgeErrorCode[] = ['FORGE_WEBHOOK_TARGET_REFUSED', 'FORGE_UNPROCESSABLE', 'FORGE_SECRETS_UNAVAILABLE'];

type WebhookId = { webhookId: string };
type DeliveryId = WebhookId & { deliveryId: string };
type Paging = { cursor?: string; limit: number };

export const postWebhooks = defineOperation({
  kind: 'call',
  feature: 'webhooks',
  name: 'postWebhooks',
  mcp,
  summary:
    'Subscribe a URL to events: each is POSTed as JSON, signed with the secret (Forge-Webhook-Signature), and retried with backoff until received. The answer shows the secret, this once',
  tags,
  http: { method: 'POST', path: '/webhooks', status: 201 },
  input: {
    body: Joi.object({ url: url.required(), eventTypes: eventTypes.required(), secret, description, active: active.default(true) }).label('CreateWebhook'),
  },
  output: createdWebhookModel,
  errors: ['FORGE_FEATURE_DISABLED', 'FORGE_VALIDATION_FAILED', ...TARGET_ERRORS],
  handler: (input: WebhookInput, { services }) => services.webhooks.create(input),
});

export const getWebhooks = defineOperation({
  kind: 'call',
  feature: 'webhooks',
  name: 'getWebhooks',
  mcp,
  summary: 'List webhook subscriptions, oldest first (never their secrets)',
  tags,
  http: { method: 'GET', path: '/webhooks', status: 200 },
  input: { query: Joi.object({ cursor, limit: limit(1000, 100) }) },
  output: pageOf(webhookModel, 'WebhookPage'),
  errors: ['FORGE_FEATURE_DISABLED', 'FORGE_VALIDATION_FAILED'],
  handler: (page: Paging, { services }) => services.webhooks.list(page),
});

export const getWebhooksByWebhookId = defineOperation({
  kind: 'call',
  feature: 'webhooks',
  name: 'getWebhooksByWebhookId',
  mcp,
  summary: 'Get a webhook subscription (never its secret)',
  tags,
  http: { method: 'GET', path: '/webhooks/{webhookId}', status: 200 },
  input: { path: webhookPath },
  output: webhookModel,
  errors: READ_ERRORS,
  handler: ({ webhookId }: WebhookId, { services }) => services.webhooks.get(webhookId),
});

export const patchWebhooksByWebhookId = defineOperation({
  kind: 'call',
  feature: 'webhooks',
  name: 'patchWebhooksByWebhookId',
  mcp,
  summary: 'Change a webhook subscription: URL, event types, secret (not shown back), description, active (false fails the deliveries still waiting)',
  tags,
  http: { method: 'PATCH', path: '/webhooks/{webhookId}', status: 200 },
  input: {
    path: webhookPath,
    body: Joi.object({ url, eventTypes, secret, description, active }).min(1).label('UpdateWebhook'),
  },
  output: webhookModel,
  errors: [...READ_ERRORS, ...TARGET_ERRORS],
  handler: ({ webhookId, ...changes }: WebhookId & WebhookChanges, { services }) => services.webhooks.update(webhookId, changes),
});

export const deleteWebhooksByWebhookId = defineOperation({
  kind: 'call',
  feature: 'webhooks',
  name: 'deleteWebhooksByWebhookId',
  mcp,
  summary: 'Delete a webhook subscription with its delivery log; deliveries waiting are not sent',
  tags,
  http: { method: 'DELETE', path: '/webhooks/{webhookId}', status: 204 },
  input: { path: webhookPath },
  errors: READ_ERRORS,
  handler: ({ webhookId }: WebhookId, { services }) => services.webhooks.delete(webhookId),
});

export const getWebhooksByWebhookIdDeliveries = defineOperation({
  kind: 'call',
  feature: 'webhooks',
  name: 'getWebhooksByWebhookIdDeliveries',
  mcp,
  summary: "A webhook subscription's deliveries, newest first: state, attempts, the last HTTP status or error, the next retry, the last attempt's duration",
  tags,
  http: { method: 'GET', path: '/webhooks/{webhookId}/deliveries', status: 200 },
  input: { path: webhookPath, query: Joi.object({ state: webhookDeliveryState, cursor, limit: limit(1000, 100) }) },
  output: pageOf(deliveryModel, 'WebhookDeliveryPage'),
  errors: READ_ERRORS,
  handler: ({ webhookId, state, ...page }: WebhookId & DeliveryFilter & Paging, { services }) => services.webhooks.deliveryLog(webhookId, { state }, page),
});

export const getWebhooksByWebhookIdDeliveriesByDeliveryId = defineOperation({
  kind: 'call',
  feature: 'webhooks',
  name: 'getWebhooksByWebhookIdDeliveriesByDeliveryId',
  mcp,
  summary: "One delivery: its log entry, the body it sends, and the start of the receiver's last answer",
  tags,
  http: { method: 'GET', path: '/webhooks/{webhookId}/deliveries/{deliveryId}', status: 200 },
  input: { path: deliveryPath },
  output: deliveryDetailModel,
  errors: READ_ERRORS,
  handler: ({ webhookId, deliveryId }: DeliveryId, { services }) => services.webhooks.delivery(webhookId, deliveryId),
});

export const postWebhooksByWebhookIdDeliveriesByDeliveryIdRedeliver = defineOperation({
  kind: 'call',
  feature: 'webhooks',
  name: 'postWebhooksByWebhookIdDeliveriesByDeliveryIdRedeliver',
  mcp,
  summary: 'Send a delivery\'s event again as a new delivery (same event id, a new delivery id, attempts from zero), at once; 409 when the subscription is switched off',
  tags,
  http: { method: 'POST', path: '/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver', status: 202 },
  input: { path: deliveryPath },
  output: deliveryModel,
  errors: [...READ_ERRORS, 'FORGE_CONFLICT'],
  handler: ({ webhookId, deliveryId }: DeliveryId, { services }) => services.webhooks.redeliver(webhookId, deliveryId),
});

export const webhookOperations = [
  postWebhooks,
  getWebhooks,
  getWebhooksByWebhookId,
  patchWebhooksByWebhookId,
  deleteWebhooksByWebhookId,
  getWebhooksByWebhookIdDeliveries,
  getWebhooksByWebhookIdDeliveriesByDeliveryId,
  postWebhooksByWebhookIdDeliveriesByDeliveryIdRedeliver,
];
