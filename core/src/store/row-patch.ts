import { now } from './clock.ts';

/**
 * The columns to update for the fields present in `changes` (undefined means "leave it"; null
 * clears it), plus the new `updated_at`.
 */
export function rowPatch<C extends object>(changes: C, columns: Record<keyof C, string>): Record<string, unknown> {
  const patch: Record<string, unknown> = { updated_at: now() };
  for (const key of Object.keys(columns) as (keyof C)[]) {
    if (changes[key] !== undefined) patch[columns[key]] = changes[key];
  }
  return patch;
}
