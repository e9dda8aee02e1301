import { UsageError } from '../parse-options.ts';

/** A whole number flag within bounds; undefined when not given. */
export function integerFlag(command: string, name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || number < min || number > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`, command);
  return number;
}

/**
 * Executor options given as `--option key=value`, repeated: a value that reads as JSON (a
 * number, true, an object) is taken as such, anything else as text, so `--option delayMs=100`
 * and `--option model=opus` both mean what they say.
 */
export function executorOptions(command: string, pairs: readonly string[] | undefined): Record<string, unknown> | undefined {
  if (pairs === undefined || pairs.length === 0) return undefined;
  const options: Record<string, unknown> = {};
  for (const pair of pairs) {
    const split = pair.indexOf('=');
    if (split < 1) throw new UsageError(`--option takes key=value (e.g. --option model=opus), got "${pair}"`, command);
    const text = pair.slice(split + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // Plain text: kept as the string it is.
    }
    options[pair.slice(0, split)] = value;
  }
  return options;
}
