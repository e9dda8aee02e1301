import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../store/secret-box.ts';

/**
 * Subscriptions' signing secrets: sealed with the server's secret key before they are stored
 * (spec/decisions/0015), each bound to its subscription, and opened only to sign a delivery.
 */
export class WebhookSecrets {
  constructor(private readonly box: SecretBox) {}

  /** A secret for a subscription made without one: 32 random bytes, shown once. */
  static generate(): string {
    return `whsec_${randomBytes(32).toString('base64url')}`;
  }

  seal(webhookId: string, secret: string): string {
    return this.box.seal(secret, contextOf(webhookId));
  }

  open(webhookId: string, sealed: string): string {
    return this.box.open(sealed, contextOf(webhookId));
  }
}

/** A sealed secret copied onto another subscription's row does not open there. */
const contextOf = (webhookId: string) => `webhook:${webhookId}`;
