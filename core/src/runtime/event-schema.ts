import Joi from 'joi';
import { TOOL_ACTION_KINDS, type ExecutorEvent, type ExecutorEventType } from '@forge-core/sdk';

const text = Joi.string().max(1_000_000).allow('');
const id = Joi.string().min(1).max(255);
const tokenCount = Joi.number().integer().min(0);

/** One validator per event type; the Record keeps it in step with the SDK's union. */
export const executorEventSchemas: Record<ExecutorEventType, Joi.ObjectSchema> = {
  session: Joi.object({ type: Joi.valid('session'), sessionId: id.required(), model: Joi.string().max(200) }),
  message: Joi.object({ type: Joi.valid('message'), role: Joi.valid('assistant', 'user', 'system').required(), text: text.required() }),
  thinking: Joi.object({ type: Joi.valid('thinking'), text: text.required() }),
  tool_call: Joi.object({
    type: Joi.valid('tool_call'),
    callId: id.required(),
    tool: id.required(),
    action: Joi.valid(...TOOL_ACTION_KINDS).required(),
    summary: Joi.string().max(10_000).allow(''),
    input: Joi.any(),
  }),
  tool_result: Joi.object({ type: Joi.valid('tool_result'), callId: id.required(), isError: Joi.boolean().required(), output: text }),
  file_change: Joi.object({
    type: Joi.valid('file_change'),
    path: Joi.string().min(1).max(4096).required(),
    change: Joi.valid('added', 'modified', 'deleted', 'renamed').required(),
    oldPath: Joi.string().max(4096),
  }),
  approval_request: Joi.object({ type: Joi.valid('approval_request'), requestId: id.required(), tool: id.required(), input: Joi.any() }),
  usage: Joi.object({
    type: Joi.valid('usage'),
    inputTokens: tokenCount,
    outputTokens: tokenCount,
    cacheReadTokens: tokenCount,
    cacheWriteTokens: tokenCount,
    costUsd: Joi.number().min(0),
  }),
  log: Joi.object({
    type: Joi.valid('log'),
    level: Joi.valid('debug', 'info', 'warn', 'error').required(),
    stream: Joi.valid('stdout', 'stderr'),
    text: text.required(),
  }),
  done: Joi.object({
    type: Joi.valid('done'),
    status: Joi.valid('succeeded', 'failed', 'cancelled').required(),
    summary: Joi.string().max(100_000).allow(''),
    error: Joi.string().max(100_000).allow(''),
    exitCode: Joi.number().integer().allow(null),
  }),
};

export type EventCheck = { ok: true; event: ExecutorEvent } | { ok: false; message: string };

/** Checks a value an executor yielded against the contract. */
export function checkExecutorEvent(value: unknown): EventCheck {
  if (!value || typeof value !== 'object') return { ok: false, message: `an event must be an object, received ${typeof value}` };
  const type = (value as { type?: unknown }).type;
  const schema =
    typeof type === 'string' && Object.hasOwn(executorEventSchemas, type) ? executorEventSchemas[type as ExecutorEventType] : undefined;
  if (!schema) return { ok: false, message: `unknown event type ${JSON.stringify(type)}` };
  const { error } = schema.validate(value);
  return error ? { ok: false, message: `${type} event: ${error.message}` } : { ok: true, event: value as ExecutorEvent };
}
