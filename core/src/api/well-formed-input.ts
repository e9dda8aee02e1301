// A UTF-16 surrogate without its pair: JSON may carry one ("\ud800"), UTF-8 cannot.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The operation's input with every lone surrogate replaced by U+FFFD, as any UTF-8 encoder does.
 * Stored as they came, they would reach SQLite as bytes that are not UTF-8, and come back one
 * way through a row (three U+FFFD) and another through JSON SQLite writes (the invalid bytes).
 */
export function wellFormedInput<T>(value: T): T {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map(wellFormedInput) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, wellFormedInput(item)])) as T;
  }
  return value;
}
