/**
 * The events an executor yields while an agent runs. The union is the contract: the host
 * validates every event against it, stores it in the attempt's log and streams it to clients.
 * Exactly one `done` ends every run.
 */

/** What a tool call does, so clients can render any agent's tools the same way. */
export type ToolActionKind =
  | 'file_read'
  | 'file_edit'
  | 'command'
  | 'search'
  | 'web_fetch'
  | 'plan'
  | 'todo'
  | 'other';

export interface SessionEvent {
  type: 'session';
  /** The agent's own session or thread id; a follow-up resumes it. */
  sessionId: string;
  model?: string;
}

export interface MessageEvent {
  type: 'message';
  role: 'assistant' | 'user' | 'system';
  text: string;
}

export interface ThinkingEvent {
  type: 'thinking';
  text: string;
}

export interface ToolCallEvent {
  type: 'tool_call';
  /** The agent's id for this call; the matching `tool_result` carries the same id. */
  callId: string;
  tool: string;
  action: ToolActionKind;
  /** A short human summary: the path read, the command run, the query searched. */
  summary?: string;
  input?: unknown;
}

export interface ToolResultEvent {
  type: 'tool_result';
  callId: string;
  isError: boolean;
  output?: string;
}

export interface FileChangeEvent {
  type: 'file_change';
  path: string;
  change: 'added' | 'modified' | 'deleted' | 'renamed';
  oldPath?: string;
}

/**
 * The host writes this into the attempt's log when a pack calls `requestApproval` (its
 * `requestId` is the approval's id). A pack built before contract 1.1 may still yield it, as
 * information: nothing waits for an answer.
 */
export interface ApprovalRequestEvent {
  type: 'approval_request';
  requestId: string;
  tool: string;
  input?: unknown;
}

export interface UsageEvent {
  type: 'usage';
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  costUsd?: number;
}

export interface LogEvent {
  type: 'log';
  level: 'debug' | 'info' | 'warn' | 'error';
  stream?: 'stdout' | 'stderr';
  text: string;
}

export type DoneStatus = 'succeeded' | 'failed' | 'cancelled';

/**
 * Why a failed run failed, when waiting or logging in fixes it rather than changing the task:
 * the agent's provider refused for too many requests (rate_limit), the account ran out of
 * quota or credit (quota), or the CLI has no usable credentials (auth).
 */
export type RunFailureKind = 'rate_limit' | 'quota' | 'auth';

export const RUN_FAILURE_KINDS: readonly RunFailureKind[] = Object.freeze(
  Object.keys({ rate_limit: 1, quota: 1, auth: 1 } satisfies Record<RunFailureKind, 1>) as RunFailureKind[],
);

export interface RunFailure {
  kind: RunFailureKind;
  /** How long the agent said to wait before trying again, when it said. */
  retryAfterMs?: number;
}

export interface DoneEvent {
  type: 'done';
  status: DoneStatus;
  /** The agent's final summary of its work; the host uses it as the commit message. */
  summary?: string;
  error?: string;
  exitCode?: number | null;
  /** On a failure, what kind it is when waiting or logging in fixes it. Since contract 1.1. */
  failure?: RunFailure;
}

export type ExecutorEvent =
  | SessionEvent
  | MessageEvent
  | ThinkingEvent
  | ToolCallEvent
  | ToolResultEvent
  | FileChangeEvent
  | ApprovalRequestEvent
  | UsageEvent
  | LogEvent
  | DoneEvent;

export type ExecutorEventType = ExecutorEvent['type'];

/** Every event type, kept in step with the union by the compiler. */
const EVENT_TYPES: Record<ExecutorEventType, 1> = {
  session: 1,
  message: 1,
  thinking: 1,
  tool_call: 1,
  tool_result: 1,
  file_change: 1,
  approval_request: 1,
  usage: 1,
  log: 1,
  done: 1,
};

export const EXECUTOR_EVENT_TYPES = Object.freeze(Object.keys(EVENT_TYPES) as ExecutorEventType[]);

export const TOOL_ACTION_KINDS: readonly ToolActionKind[] = Object.freeze(
  Object.keys({
    file_read: 1,
    file_edit: 1,
    command: 1,
    search: 1,
    web_fetch: 1,
    plan: 1,
    todo: 1,
    other: 1,
  } satisfies Record<ToolActionKind, 1>) as ToolActionKind[],
);
