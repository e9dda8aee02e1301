import { ForgeError } from './errors.ts';
import type { ProviderResponse } from './git-provider.ts';

const isFieldMessages = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** GitLab's validation form, `{"message": {"title": ["is too long"]}}`, as "title is too long". */
const fieldMessages = (value: Record<string, unknown>): string =>
  Object.entries(value)
    .map(([field, said]) => `${field} ${Array.isArray(said) ? said.join(', ') : String(said)}`)
    .join('; ');

/** What the host said went wrong, from the shapes code hosts answer with; short, one line. */
function hostMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const nested = record['error'];
  const candidates = [
    record['message'],
    typeof nested === 'object' && nested !== null ? (nested as Record<string, unknown>)['message'] : nested,
    record['error_description'],
  ];
  const errors = record['errors'];
  if (Array.isArray(errors)) {
    for (const item of errors) candidates.push(typeof item === 'object' && item !== null ? (item as Record<string, unknown>)['message'] : item);
  }
  const said = candidates
    .map((value) => (Array.isArray(value) ? value.join('; ') : isFieldMessages(value) ? fieldMessages(value) : value))
    .filter((value): value is string => typeof value === 'string' && value.trim() !== '');
  if (said.length === 0) return undefined;
  const line = [...new Set(said)].join('; ').replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/**
 * How long the host asks to wait, in seconds, from `Retry-After` (seconds or an HTTP date) or a
 * rate-limit reset time (`x-ratelimit-reset` / `ratelimit-reset`, Unix seconds). Undefined when it
 * names none.
 */
export function retryAfterSecondsOf(headers: Readonly<Record<string, string>>, now: number = Date.now()): number | undefined {
  const retryAfter = headers['retry-after']?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter));
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - now) / 1000));
  }
  const reset = Number(headers['x-ratelimit-reset'] ?? headers['ratelimit-reset']);
  // A reset before 2001 is a count of seconds, not a moment (some hosts send a delta).
  if (Number.isFinite(reset) && reset > 0) return reset > 1e9 ? Math.max(0, Math.ceil(reset - now / 1000)) : Math.ceil(reset);
  return undefined;
}

const noQuotaLeft = (headers: Readonly<Record<string, string>>) =>
  headers['x-ratelimit-remaining'] === '0' || headers['ratelimit-remaining'] === '0';

/**
 * The error a provider throws for a failed HTTP exchange, with the catalogue code a client can
 * act on: 401/403 → auth, 404 → not found, 409 → conflict, 422 → rejected, 429 (or 403 with no
 * quota left, or with a Retry-After: GitHub's secondary limits) → rate limited. The details carry
 * the status, the host's own message and, when it names one, the wait in `retryAfterSeconds`.
 */
export function providerHttpError(providerId: string, what: string, response: ProviderResponse): ForgeError {
  const retryAfterSeconds = retryAfterSecondsOf(response.headers);
  const said = hostMessage(response.body);
  const details = {
    provider: providerId,
    status: response.status,
    ...(said === undefined ? {} : { hostMessage: said }),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  };
  const because = said === undefined ? '' : ` The host said: ${said}`;
  const { status, headers } = response;
  if (status === 429 || (status === 403 && (noQuotaLeft(headers) || headers['retry-after'] !== undefined))) {
    const when = retryAfterSeconds === undefined ? 'later' : `in ${retryAfterSeconds} s`;
    return new ForgeError('FORGE_PROVIDER_RATE_LIMITED', `${providerId}: ${what} was rate limited; try again ${when}.${because}`, details);
  }
  if (status === 401 || status === 403) {
    return new ForgeError('FORGE_PROVIDER_AUTH_FAILED', `${providerId}: ${what} was refused (HTTP ${status}); check the token and its scopes.${because}`, details);
  }
  if (status === 404) return new ForgeError('FORGE_PROVIDER_NOT_FOUND', `${providerId}: ${what} found nothing (HTTP 404).${because}`, details);
  if (status === 409) return new ForgeError('FORGE_PROVIDER_CONFLICT', `${providerId}: ${what} conflicts with the host's state (HTTP 409).${because}`, details);
  if (status === 422 || status === 400) {
    return new ForgeError('FORGE_PROVIDER_REJECTED', `${providerId}: ${what} was refused as invalid (HTTP ${status}).${because}`, details);
  }
  return new ForgeError('FORGE_PROVIDER_FAILED', `${providerId}: ${what} failed with HTTP ${status}.${because}`, details);
}
