import type { ForgeEvent } from '../events/event-log.ts';

/**
 * The JSON body of a delivery, the contract receivers code against:
 *
 *   {"id": "<delivery id>", "event": {"id": "<event id>", "type": "task.created", "subject": "<id>", "ts": "<ISO 8601>", "data": {…}}}
 *
 * `id` is the delivery's (also in the Forge-Webhook-Id header): the same across the retries of one
 * delivery, a new one for a redelivery. `event` is the event as the event log and the SSE stream
 * carry it; `event.id` is the same in every delivery of the event, so a receiver that must act once
 * per event dedupes on it. New fields may be added; none is removed or renamed.
 */
export interface DeliveryBody {
  id: string;
  event: Pick<ForgeEvent, 'id' | 'type' | 'subject' | 'ts' | 'data'>;
}

export function deliveryBody(deliveryId: string, event: ForgeEvent): string {
  const body: DeliveryBody = { id: deliveryId, event: { id: event.id, type: event.type, subject: event.subject, ts: event.ts, data: event.data } };
  return JSON.stringify(body);
}

/** The body of a redelivery: the same event, under the new delivery's id. */
export function redeliveryBody(deliveryId: string, original: string): string {
  const { event } = JSON.parse(original) as DeliveryBody;
  return JSON.stringify({ id: deliveryId, event } satisfies DeliveryBody);
}
