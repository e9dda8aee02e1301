import { createHmac, timingSafeEqual } from 'node:crypto';

/** The scheme's version, the prefix of each signature in the header: a new scheme gets v2 beside it. */
const VERSION = 'v1';

/**
 * `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. The timestamp is signed with the body so
 * a receiver that refuses old timestamps cannot be sent a captured delivery again later.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `${VERSION}=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does, given the raw body and the Forge-Webhook-Timestamp and
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
