/** Timestamps are ISO-8601 UTC strings: sortable as text and ready for JSON. */
export function now(): string {
  return new Date().toISOString();
}
