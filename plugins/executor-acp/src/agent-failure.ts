import { isRecord, retryAfterMsIn, shortLine, type RunFailure, type RunFailureKind } from '@forge-core/sdk';

/** ACP's "authentication required" error code: what gemini, qwen, copilot and claude-agent-acp send when logged out. */
export const AUTH_REQUIRED = -32000;

/** In order: a text that names both a login problem and a 429 is a login problem. */
const TEXT_KINDS: readonly (readonly [RunFailureKind, RegExp])[] = [
  ['auth', /authenticat|api key is missing|invalid api key|not logged in|log ?in first|credentials|unauthori[sz]ed|\b401\b/i],
  ['rate_limit', /rate.?limit|too many requests|\b429\b|per minute|resource.?exhausted/i],
  ['quota', /quota|billing|credit balance|usage limit|insufficient/i],
];

/** An error the agent answered one of our requests with. */
export interface AgentError {
  code: number | undefined;
  message: string;
  /** Its `data`, as one line: qwen's `details`, gemini's reason. */
  details: string | undefined;
}

/** The JSON-RPC error a request was rejected with, or the exception's own words. */
export function agentErrorOf(error: unknown): AgentError {
  const record = isRecord(error) ? error : {};
  const code = typeof record['code'] === 'number' ? record['code'] : undefined;
  const message = error instanceof Error ? error.message : typeof record['message'] === 'string' ? record['message'] : String(error);
  const data = record['data'];
  let details: string | undefined;
  if (typeof data === 'string') details = data;
  else if (isRecord(data) && typeof data['details'] === 'string') details = data['details'];
  else if (isRecord(data) && typeof data['message'] === 'string') details = data['message'];
  return { code, message, details: details === undefined ? undefined : shortLine(details, 1_000) };
}

/** The error in words: its message, and the details when they add something. */
export function describeAgentError(error: AgentError): string {
  return error.details !== undefined && !error.message.includes(error.details) ? `${error.message} (${error.details})` : error.message;
}

/** Whether waiting or logging in fixes it, and how long to wait when the agent said. */
export function failureOf(error: AgentError): RunFailure | undefined {
  const texts = [error.message, error.details ?? ''];
  const kind = error.code === AUTH_REQUIRED && /auth|log ?in|key|credential/i.test(texts.join(' ')) ? 'auth' : TEXT_KINDS.find(([, pattern]) => texts.some((text) => pattern.test(text)))?.[0];
  if (kind === undefined) return undefined;
  if (kind === 'auth') return { kind };
  const retryAfterMs = texts.map(retryAfterMsIn).find((wait) => wait !== undefined);
  return retryAfterMs === undefined ? { kind } : { kind, retryAfterMs };
}
