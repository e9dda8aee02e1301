import { timingSafeEqual } from 'node:crypto';
import { signWebhook } from '../../src/webhooks/signature.ts';

/**
 * What a receiver does (the README's snippet), given the raw body and the Forge-Webhook-Timestamp and
 * Forge-Webhook-Signature headers: true when one of the header's signatures is this secret's.
 * `toleranceSeconds` bounds how old (or how far ahead) the timestamp may be.
 */
export function verifyWebhook(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  options: { toleranceSeconds?: number; nowSeconds?: number } = {},
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || headers.signature === undefined) return false;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  return headers.signature
    .split(/[ ,]+/)
    .map((given) => Buffer.from(given))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}
