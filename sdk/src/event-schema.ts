import { EXECUTOR_EVENT_TYPES, RUN_FAILURE_KINDS, TOOL_ACTION_KINDS, type ExecutorEventType } from './events.ts';
import type { JsonSchema } from './json-schema-check.ts';

/**
 * The `ExecutorEvent` union as JSON Schema: the contract as data, for the host's validator, the
 * conformance kit and `spec/schemas/executor-event.schema.json`. The limits keep one event from
 * flooding the log; a test checks these schemas against the TypeScript types.
 */

const text: JsonSchema = { type: 'string', maxLength: 1_000_000 };
const id: JsonSchema = { type: 'string', minLength: 1, maxLength: 255 };
const tokenCount: JsonSchema = { type: 'integer', minimum: 0 };
/** Whatever the agent passed its tool: any JSON value. */
const anything: JsonSchema = {};

function eventSchema(type: ExecutorEventType, title: string, properties: Record<string, JsonSchema>, required: string[]): JsonSchema {
  return {
    title,
    type: 'object',
    properties: { type: { type: 'string', const: type }, ...properties },
    required: ['type', ...required],
    additionalProperties: false,
  };
}

/** One schema per event type; the Record keeps it in step with the union. */
export const EXECUTOR_EVENT_SCHEMAS: Readonly<Record<ExecutorEventType, JsonSchema>> = {
  session: eventSchema('session', 'SessionEvent', { sessionId: id, model: { type: 'string', minLength: 1, maxLength: 200 } }, ['sessionId']),
  message: eventSchema('message', 'MessageEvent', { role: { type: 'string', enum: ['assistant', 'user', 'system'] }, text }, ['role', 'text']),
  thinking: eventSchema('thinking', 'ThinkingEvent', { text }, ['text']),
  tool_call: eventSchema(
    'tool_call',
    'ToolCallEvent',
    {
      callId: id,
      tool: id,
      action: { type: 'string', enum: TOOL_ACTION_KINDS },
      summary: { type: 'string', maxLength: 10_000 },
      input: anything,
    },
    ['callId', 'tool', 'action'],
  ),
  tool_result: eventSchema('tool_result', 'ToolResultEvent', { callId: id, isError: { type: 'boolean' }, output: text }, ['callId', 'isError']),
  file_change: eventSchema(
    'file_change',
    'FileChangeEvent',
    {
      path: { type: 'string', minLength: 1, maxLength: 4096 },
      change: { type: 'string', enum: ['added', 'modified', 'deleted', 'renamed'] },
      oldPath: { type: 'string', minLength: 1, maxLength: 4096 },
    },
    ['path', 'change'],
  ),
  approval_request: eventSchema('approval_request', 'ApprovalRequestEvent', { requestId: id, tool: id, input: anything }, ['requestId', 'tool']),
  usage: eventSchema(
    'usage',
    'UsageEvent',
    {
      inputTokens: tokenCount,
      outputTokens: tokenCount,
      cacheReadTokens: tokenCount,
      cacheWriteTokens: tokenCount,
      costUsd: { type: 'number', minimum: 0 },
    },
    [],
  ),
  log: eventSchema(
    'log',
    'LogEvent',
    {
      level: { type: 'string', enum: ['debug', 'info', 'warn', 'error'] },
      stream: { type: 'string', enum: ['stdout', 'stderr'] },
      text,
    },
    ['level', 'text'],
  ),
  done: eventSchema(
    'done',
    'DoneEvent',
    {
      status: { type: 'string', enum: ['succeeded', 'failed', 'cancelled'] },
      summary: { type: 'string', maxLength: 100_000 },
      error: { type: 'string', maxLength: 100_000 },
      exitCode: { type: ['integer', 'null'] },
      failure: {
        type: 'object',
        properties: {
          kind: { type: 'string', enum: RUN_FAILURE_KINDS },
          retryAfterMs: { type: 'integer', minimum: 0 },
        },
        required: ['kind'],
        additionalProperties: false,
      },
    },
    ['status'],
  ),
};

/** The whole union, one `$defs` entry per event type, told apart by the `type` constant. */
export const EXECUTOR_EVENT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'ExecutorEvent',
  description: 'An event an executor yields while an agent runs. Exactly one `done` ends every run.',
  $defs: EXECUTOR_EVENT_SCHEMAS,
  oneOf: EXECUTOR_EVENT_TYPES.map((type) => ({ $ref: `#/$defs/${type}` })),
} as const;
