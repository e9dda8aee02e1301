import { createHmac } from 'node:crypto';

/** The scheme's version, the prefix of each signature in the header: a new scheme gets v2 beside it. */
const VERSION = 'v1';

/**
 * `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. The timestamp is signed with the body so
 * a receiver that refuses old timestamps cannot be sent a captured delivery again later.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `${VERSION}=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
