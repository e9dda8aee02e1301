/**
 * Which failures waiting or logging in fixes (DoneEvent.failure), from what Claude Code prints.
 * Structured signals come first: the `error` field of an assistant message Claude makes up when
 * the API refused (`"error":"authentication_failed"` when logged out), and a `rate_limit_event`
 * whose status is `rejected`. Without one, the texts of the result decide: Claude reports API
 * errors as prose (`Not logged in · Please run /login`, `API Error: 429 {…rate_limit_error…}`,
 * `Credit balance is too low`).
 */
import type { RunFailure, RunFailureKind } from '@forge-core/sdk';

/** A failure as it was reported, with the reset time as a clock time so the wait is measured when the run ends. */
export interface ReportedFailure {
  kind: RunFailureKind;
  /** When the limit resets, in milliseconds since the epoch. */
  resetsAtMs?: number;
}

/** The `error` values of Claude's assistant messages that mean a failure of one of these kinds. */
const ASSISTANT_ERROR_KINDS: ReadonlyMap<string, RunFailureKind> = new Map([
  ['authentication_failed', 'auth'],
  ['billing_error', 'quota'],
  ['rate_limit', 'rate_limit'],
]);

/** In order: a text that names both a login problem and a 429 is a login problem. */
const TEXT_KINDS: readonly (readonly [RunFailureKind, RegExp])[] = [
  ['auth', /not logged in|please run \/login|invalid api key|authentication_error|authentication_failed|oauth token (?:has expired|(?:was |has been )?revoked)/i],
  ['quota', /credit balance is too low|usage limit reached|billing_error|you(?:'|’)ve hit your (?:usage )?limit|spend(?:ing)? limit/i],
  ['rate_limit', /rate_limit_error|rate limit|\b429\b/i],
];

/** Claude's older subscription limit text ends in the reset time: `Claude AI usage limit reached|1760000000`. */
const RESET_IN_TEXT = /limit reached\|(\d{9,13})\b/i;
/** An HTTP retry-after quoted in an error text, in seconds. */
const RETRY_AFTER_IN_TEXT = /retry[-_ ]after\D{0,4}(\d{1,6})\b/i;

/** Claude gives reset times in seconds since the epoch; a value that large is already milliseconds. */
export function epochMs(value: number): number {
  return value > 1e12 ? value : value * 1000;
}

export function assistantErrorFailure(error: string): ReportedFailure | undefined {
  const kind = ASSISTANT_ERROR_KINDS.get(error);
  return kind === undefined ? undefined : { kind };
}

function kindOfTexts(texts: readonly string[]): RunFailureKind | undefined {
  for (const [kind, pattern] of TEXT_KINDS) if (texts.some((text) => pattern.test(text))) return kind;
  return undefined;
}

/** How long to wait, from the texts: a reset time, or a retry-after in seconds. */
function waitInTexts(texts: readonly string[], now: number): number | undefined {
  for (const text of texts) {
    const reset = RESET_IN_TEXT.exec(text);
    if (reset) return epochMs(Number(reset[1])) - now;
    const retryAfter = RETRY_AFTER_IN_TEXT.exec(text);
    if (retryAfter) return Number(retryAfter[1]) * 1000;
  }
  return undefined;
}

/**
 * The failure of a run that failed: the structured report if there was one, otherwise what the
 * texts say; a wait only when it lies ahead (a reset time already past says nothing).
 */
export function runFailure(reported: ReportedFailure | undefined, texts: readonly string[], now: number): RunFailure | undefined {
  const kind = reported?.kind ?? kindOfTexts(texts);
  if (kind === undefined) return undefined;
  const waitMs = reported?.resetsAtMs !== undefined ? reported.resetsAtMs - now : waitInTexts(texts, now);
  return waitMs !== undefined && waitMs > 0 ? { kind, retryAfterMs: Math.ceil(waitMs) } : { kind };
}
