import type { AttemptError } from '../store/attempt-store.ts';

/** The outcomes that send an attempt back to the queue instead of failing it: the agent's provider said "not now". */
export const RETRYABLE_AGENT_ERRORS: readonly string[] = ['FORGE_AGENT_RATE_LIMITED', 'FORGE_AGENT_QUOTA_EXCEEDED'];

export interface RetryPolicy {
  /** Retries an attempt gets at most; the next such outcome fails it. */
  maxRetries: number;
  /** The first wait when the agent gave no retry-after; doubled at each retry. */
  baseMs: number;
  /** The longest wait backoff alone gives (a retry-after the agent gave is honoured even beyond it). */
  maxMs: number;
}

// A retry-after is a floor: jitter only ever adds to it, by a fifth at most and never over a minute,
// so attempts held by one rate limit do not all come back at the same instant.
const JITTER_SHARE = 0.2;
const JITTER_CAP_MS = 60_000;

/**
 * When an attempt that ended with `error` after `retries` earlier retries runs again, as an ISO
 * time; null when it fails instead (not a rate limit or quota, or no retry left). The wait is the
 * agent's retry-after when it gave one, else exponential backoff from `baseMs`, plus jitter.
 */
export function nextRetryAt(policy: RetryPolicy, error: AttemptError | null, retries: number, now = Date.now(), random = Math.random): string | null {
  if (!error || !RETRYABLE_AGENT_ERRORS.includes(error.code) || retries >= policy.maxRetries) return null;
  const given = error.retryAt === undefined ? Number.NaN : Date.parse(error.retryAt) - now;
  const floor = Number.isFinite(given) ? Math.max(0, given) : Math.min(policy.maxMs, policy.baseMs * 2 ** retries);
  const jitter = random() * Math.min(floor * JITTER_SHARE, JITTER_CAP_MS);
  return new Date(now + floor + jitter).toISOString();
}
