/**
 * Text an agent printed, made fit for a stored event: the event schema bounds every text field,
 * and a list view wants one short line.
 */

/**
 * Caps text at `maxLength` characters, ending it with a note of how many were cut so a reader
 * knows it is partial. The note counts towards the cap, so a schema's bound can be passed as is
 * (a cap shorter than the note gives the note alone).
 */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  // Room for the longest the note can be: the count of cut characters has at most as many digits as the length.
  const kept = Math.max(0, maxLength - `… [${text.length} more characters]`.length);
  return `${text.slice(0, kept)}… [${text.length - kept} more characters]`;
}

/** One short line for a list view (a tool call's summary): the first line, whitespace collapsed, capped. */
export function shortLine(text: string, maxLength = 200): string {
  const firstLine = text.trim().split(/\r?\n/, 1)[0] ?? '';
  const collapsed = firstLine.replace(/\s+/g, ' ');
  return collapsed.length <= maxLength ? collapsed : `${collapsed.slice(0, maxLength - 1)}…`;
}
