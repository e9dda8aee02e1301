/**
 * Which failures waiting or logging in fixes (DoneEvent.failure), from what cursor-agent says.
 * In print mode it reports a failure only as text: a non-zero exit with an error on stderr and no
 * JSON (Cursor's output-format reference). Logged out it prints `Error: Authentication required.
 * Please run 'agent login' first, or set CURSOR_API_KEY environment variable.`; out of its
 * plan's requests, `Error: You've hit your usage limit`. The patterns are written for those
 * texts and for the usual wording of a rate limit, since no rate-limited run was available to
 * record.
 */
import { retryAfterMsIn, type RunFailure, type RunFailureKind } from '@forge-core/sdk';

/** In order: a text that names both a login problem and a 429 is a login problem. */
const TEXT_KINDS: readonly (readonly [RunFailureKind, RegExp])[] = [
  ['auth', /authentication required|not authenticated|not logged in|log ?in required|(?:cursor-)?agent login|CURSOR_API_KEY|invalid api key|unauthori[sz]ed|\b401\b/i],
  ['quota', /usage limit|spend(?:ing)? limit|free requests limit|out of (?:credits|requests)|quota exceeded|insufficient (?:credits|quota)/i],
  ['rate_limit', /rate[ -_]?limit|too many requests|\b429\b/i],
];

/** The failure the texts (stderr's last lines, an error result) name, with the wait when they give one. */
export function runFailure(texts: readonly string[]): RunFailure | undefined {
  const kind = TEXT_KINDS.find(([, pattern]) => texts.some((text) => pattern.test(text)))?.[0];
  if (kind === undefined) return undefined;
  const waitMs = texts.map(retryAfterMsIn).find((wait) => wait !== undefined);
  return waitMs !== undefined && waitMs > 0 ? { kind, retryAfterMs: waitMs } : { kind };
}
