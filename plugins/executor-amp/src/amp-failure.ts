/**
 * Which failures waiting or logging in fixes, for the ones amp reports in words: an error result
 * (`{"type":"result","is_error":true,"error":"…"}`) or a few lines on stderr before exit 1.
 * Amp documents no codes for them, so this reads the HTTP status or the usual phrases in the
 * error the run ends with. The login prompt is caught before (amp-login-prompt.ts), and Claude's
 * own wording (`rate_limit_error`, a 429 with a retry-after) already by the shared parser.
 */
import { retryAfterMsIn, type DoneEvent, type RunFailure, type RunFailureKind } from '@forge-core/sdk';

/** In order: a text that names both a bad key and a 429 is a bad key. */
const TEXT_KINDS: readonly (readonly [RunFailureKind, RegExp])[] = [
  ['auth', /\b401\b|unauthori[sz]ed|invalid api key|api key (?:is )?(?:invalid|expired|revoked)|not logged in/i],
  ['quota', /\b402\b|payment required|insufficient (?:credits?|balance|funds)|out of credits|no credits? (?:left|remaining)/i],
  ['rate_limit', /\b429\b|too many requests|rate[ _-]?limit/i],
];

function failureOf(text: string): RunFailure | undefined {
  const kind = TEXT_KINDS.find(([, pattern]) => pattern.test(text))?.[0];
  if (kind === undefined) return undefined;
  const retryAfterMs = retryAfterMsIn(text);
  return retryAfterMs === undefined ? { kind } : { kind, retryAfterMs };
}

/** The run's `done`, with the kind of its failure when its error names one and nothing typed it before. */
export function withAmpFailure(done: DoneEvent): DoneEvent {
  if (done.status !== 'failed' || done.failure !== undefined || done.error === undefined) return done;
  const failure = failureOf(done.error);
  return failure === undefined ? done : { ...done, failure };
}
