/** Caps text that ends up in stored events, saying how much was cut so a reader knows it is partial. */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  return `${text.slice(0, maxLength)}… [${text.length - maxLength} more characters]`;
}

/** One short line for a list view: the first line, whitespace collapsed, capped. */
export function shortLine(text: string, maxLength = 200): string {
  const firstLine = text.trim().split(/\r?\n/, 1)[0] ?? '';
  const collapsed = firstLine.replace(/\s+/g, ' ');
  return collapsed.length <= maxLength ? collapsed : `${collapsed.slice(0, maxLength - 1)}…`;
}
