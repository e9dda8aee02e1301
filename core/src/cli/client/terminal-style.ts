import { visibleText } from '@forge-core/sdk';

/**
 * Whether to colour what goes to `stream`: FORCE_COLOR wins (any value but 0 or false turns
 * colour on), then NO_COLOR (https://no-color.org: any non-empty value turns it off), then
 * whether the stream is a terminal that is not a dumb one.
 */
export function colorWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

type Paint = (text: string) => string;

export interface Style {
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  blue: Paint;
  magenta: Paint;
  cyan: Paint;
}

// SGR codes: each colour is closed by its own reset, so painted text can sit inside other painted text.
const CODES: Record<keyof Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
};

export function styleOf(colored: boolean): Style {
  const entries = Object.entries(CODES).map(([name, [open, close]]) => [name, colored ? (text: string) => (text === '' ? text : `\x1b[${open}m${text}\x1b[${close}m`) : (text: string) => text]);
  return Object.fromEntries(entries) as Style;
}

/**
 * Text from the server (an agent's message, a command's output, a title) as it is safe to show
 * in a terminal: its escape sequences and other control characters removed, so it can neither
 * recolour nor move the cursor nor retitle the window, and of a line redrawn with carriage
 * returns only its last state. Newlines and tabs stay.
 */
export function terminalSafe(text: string): string {
  return text
    .split('\n')
    .map((line) => visibleText(line).replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, ''))
    .join('\n');
}
