import { isRecord } from '@forge-core/sdk';

/**
 * Reads a dotted path (`usage.input_tokens`, `content.0.text`) from parsed JSON. The output of
 * an agent CLI is untrusted input: a missing step, or a value of another type, is undefined,
 * never a throw.
 */
export function valueAt(value: unknown, dottedPath: string): unknown {
  let current = value;
  for (const step of dottedPath.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(step)) current = current[Number(step)];
    else if (isRecord(current) && Object.hasOwn(current, step)) current = current[step];
    else return undefined;
  }
  return current;
}

/** A non-empty string at the path, or undefined. */
export function textAt(value: unknown, dottedPath: string | undefined): string | undefined {
  if (dottedPath === undefined) return undefined;
  const found = valueAt(value, dottedPath);
  return typeof found === 'string' && found.trim() !== '' ? found : undefined;
}
