// CSI sequences (colours, cursor moves) and OSC sequences (titles, hyperlinks), ended by BEL or
// ST, and the two-byte escapes.
const ESCAPE_SEQUENCES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]/g;

/**
 * A line without the escape sequences a terminal would interpret. Many CLIs colour their output
 * even into a pipe; in a stored log the escapes are noise.
 */
export function withoutTerminalEscapes(text: string): string {
  return text.replace(ESCAPE_SEQUENCES, '');
}

/**
 * What a person would have seen of a line a CLI wrote for a terminal: escapes dropped, and of a
 * line redrawn with carriage returns (a progress bar), only its last state.
 */
export function visibleText(line: string): string {
  const redraws = withoutTerminalEscapes(line).split('\r').filter((state) => state !== '');
  return redraws.at(-1) ?? '';
}
