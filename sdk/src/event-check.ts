import { EXECUTOR_EVENT_SCHEMAS } from './event-schema.ts';
import type { ExecutorEvent, ExecutorEventType } from './events.ts';
import { checkJsonSchema, describeValue } from './json-schema-check.ts';

export type ExecutorEventCheck = { ok: true; event: ExecutorEvent } | { ok: false; message: string };

/**
 * Checks a value an executor yielded against the contract. It runs on every event of every run,
 * so it dispatches on `type` straight to that type's schema and reports only the first problem.
 */
export function checkExecutorEvent(value: unknown): ExecutorEventCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: `an event must be an object, received ${describeValue(value)}` };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(EXECUTOR_EVENT_SCHEMAS, type)) {
    return { ok: false, message: `unknown event type ${describeValue(type)}` };
  }
  const problems = checkJsonSchema(EXECUTOR_EVENT_SCHEMAS[type as ExecutorEventType], value, 1);
  return problems.length === 0 ? { ok: true, event: value as ExecutorEvent } : { ok: false, message: `${type} event: ${problems[0]}` };
}
