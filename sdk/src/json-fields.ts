/**
 * Typed reads from parsed JSON, for packs that read what an agent CLI prints. That output is
 * untrusted input: every field is checked where it is read, so a missing or mistyped field
 * degrades one event instead of throwing.
 */

export type JsonRecord = Record<string, unknown>;

/**
 * The value of a JSON text, or undefined when the text is not JSON (a log line, a torn write).
 * Undefined is never a JSON value, so it cannot be mistaken for one.
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A JSON object: not null, not a list. */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringAt(record: JsonRecord | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** A finite number: JSON cannot hold NaN or Infinity, but a parsed value may come from elsewhere. */
export function numberAt(record: JsonRecord | undefined, key: string): number | undefined {
  const value = record?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function recordAt(record: JsonRecord | undefined, key: string): JsonRecord | undefined {
  const value = record?.[key];
  return isRecord(value) ? value : undefined;
}

export function arrayAt(record: JsonRecord | undefined, key: string): unknown[] | undefined {
  const value = record?.[key];
  return Array.isArray(value) ? value : undefined;
}

/** The strings of a list, skipping anything else in it; empty when there is no list. */
export function stringsAt(record: JsonRecord | undefined, key: string): string[] {
  return (arrayAt(record, key) ?? []).filter((item): item is string => typeof item === 'string');
}
