/**
 * Freezes a value and everything inside it, so a hook that mutates its input throws a TypeError
 * (ES modules are strict) instead of silently changing what the host holds.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
