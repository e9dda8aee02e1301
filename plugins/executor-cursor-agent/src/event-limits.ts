import { truncate, type JsonRecord } from '@forge-core/sdk';

/**
 * The bounds of the event schema, and the caps that keep one event well inside them: the host
 * refuses an event whose text is over 1,000,000 characters, and a write of a large file carries
 * the whole file in its arguments.
 */
export const MAX_TEXT_LENGTH = 1_000_000;
export const MAX_ID_LENGTH = 255;
/** Long enough to diagnose a stray line, short enough that a 200 KB line cannot bloat the log. */
export const MAX_LOG_TEXT_LENGTH = 2_000;
export const MAX_TOOL_OUTPUT_LENGTH = 100_000;
const MAX_TOOL_INPUT_LENGTH = 100_000;
const MAX_INPUT_TEXT_LENGTH = 20_000;

/**
 * A tool call's arguments fit for an event: as they are when small enough, else with each long
 * text cut (the path and the like survive), else as their JSON text cut.
 */
export function cappedToolInput(input: JsonRecord): JsonRecord {
  const json = JSON.stringify(input);
  if (json.length <= MAX_TOOL_INPUT_LENGTH) return input;
  const shortened = Object.fromEntries(Object.entries(input).map(([key, value]) => [key, typeof value === 'string' ? truncate(value, MAX_INPUT_TEXT_LENGTH) : value]));
  return JSON.stringify(shortened).length <= MAX_TOOL_INPUT_LENGTH ? shortened : { truncatedInput: truncate(json, MAX_TOOL_INPUT_LENGTH) };
}

/** An id the agent gave (a call id, a tool name) within the schema's bound; the same id always gives the same result. */
export const boundedId = (id: string) => (id.length <= MAX_ID_LENGTH ? id : id.slice(0, MAX_ID_LENGTH));
