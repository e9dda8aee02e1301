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
  if (problems.length > 0) return { ok: false, message: `${type} event: ${problems[0]}` };
  const input = (value as { input?: unknown }).input;
  const inputProblem = input === undefined ? null : checkJsonValue(input);
  return inputProblem ? { ok: false, message: `${type} event: at input: ${inputProblem}` } : { ok: true, event: value as ExecutorEvent };
}

/** Largest `input` a tool call or approval request may carry, as JSON text. */
export const MAX_EVENT_INPUT_CHARS = 1_000_000;

/**
 * `input` is free-form, but it is stored and streamed as JSON: a BigInt, a cycle or a huge value
 * would fail there, after the event was accepted, and take its neighbours with it.
 */
function checkJsonValue(input: unknown): string | null {
  let text: string | undefined;
  try {
    text = JSON.stringify(input);
  } catch (error) {
    return `must be plain JSON data: ${(error as Error).message}`;
  }
  if (text === undefined) return `must be plain JSON data, received ${describeValue(input)}`;
  return text.length > MAX_EVENT_INPUT_CHARS ? `must be at most ${MAX_EVENT_INPUT_CHARS} characters as JSON, has ${text.length}` : null;
}
