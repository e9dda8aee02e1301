import { isRecord, numberAt, recordAt, retryAfterMsIn, stringAt, type JsonRecord, type RunFailure, type RunFailureKind } from '@forge-core/sdk';

/**
 * Codex's turn errors (`error` notifications, a failed turn's `turn.error`) and what kind of
 * failure they are: codexErrorInfo `usageLimitExceeded` is out of quota, `unauthorized` (or
 * HTTP 401) is a login problem, `rateLimitExceeded` (or HTTP 429) is a rate limit.
 */

export interface TurnError {
  message: string;
  additionalDetails: string | undefined;
  codexErrorInfo: unknown;
  /** When codex emitted it (the notification's emittedAtMs), to turn a reset time into a wait. */
  emittedAtMs: number | undefined;
}

export function turnErrorOf(value: unknown, emittedAtMs: number | undefined): TurnError | undefined {
  if (!isRecord(value)) return undefined;
  return {
    message: stringAt(value, 'message') ?? 'codex reported an error without a message',
    additionalDetails: stringAt(value, 'additionalDetails'),
    codexErrorInfo: value['codexErrorInfo'],
    emittedAtMs,
  };
}

export function describeTurnError(error: TurnError): string {
  return error.additionalDetails === undefined || error.additionalDetails === '' ? error.message : `${error.message} (${error.additionalDetails})`;
}

const KIND_BY_INFO: Readonly<Record<string, RunFailureKind>> = {
  usageLimitExceeded: 'quota',
  unauthorized: 'auth',
  rateLimitExceeded: 'rate_limit',
};

const KIND_BY_HTTP_STATUS: Readonly<Record<number, RunFailureKind>> = { 401: 'auth', 429: 'rate_limit' };

/** The kind a codexErrorInfo names: a plain variant, or an HTTP status inside a `{variant: {httpStatusCode}}` one. */
function failureKindOf(info: unknown): RunFailureKind | undefined {
  if (typeof info === 'string') return KIND_BY_INFO[info];
  if (!isRecord(info)) return undefined;
  for (const [variant, detail] of Object.entries(info)) {
    const named = KIND_BY_INFO[variant];
    if (named !== undefined) return named;
    const status = isRecord(detail) ? numberAt(detail, 'httpStatusCode') : undefined;
    if (status !== undefined && KIND_BY_HTTP_STATUS[status] !== undefined) return KIND_BY_HTTP_STATUS[status];
  }
  return undefined;
}

/**
 * When the limit that ran out resets, from the last `account/rateLimits/updated`: the latest
 * reset of the windows used up, measured from when the error was emitted (both codex's clock).
 */
function waitFromRateLimits(rateLimits: JsonRecord | undefined, emittedAtMs: number | undefined): number | undefined {
  if (rateLimits === undefined || emittedAtMs === undefined) return undefined;
  const resets = ['primary', 'secondary']
    .map((name) => recordAt(rateLimits, name))
    .filter((window) => (numberAt(window, 'usedPercent') ?? 0) >= 100)
    .flatMap((window) => {
      const resetsAt = numberAt(window, 'resetsAt');
      return resetsAt === undefined ? [] : [resetsAt * 1000];
    });
  return resets.length === 0 ? undefined : Math.max(0, Math.round(Math.max(...resets) - emittedAtMs));
}

/** The typed failure a turn error is, with how long to wait when codex said, or undefined for other errors. */
export function failureOf(error: TurnError, rateLimits: JsonRecord | undefined): RunFailure | undefined {
  const kind = failureKindOf(error.codexErrorInfo);
  if (kind === undefined) return undefined;
  if (kind === 'auth') return { kind };
  const retryAfterMs = retryAfterMsIn(describeTurnError(error)) ?? waitFromRateLimits(rateLimits, error.emittedAtMs);
  return retryAfterMs === undefined ? { kind } : { kind, retryAfterMs };
}
