/** Time units as agents and their providers write them in a wait. */
const UNIT_MS: readonly (readonly [RegExp, number])[] = [
  [/^(?:ms|milliseconds?)$/, 1],
  [/^(?:s|secs?|seconds?)$/, 1_000],
  [/^(?:m|mins?|minutes?)$/, 60_000],
  [/^(?:h|hrs?|hours?)$/, 3_600_000],
  [/^(?:d|days?)$/, 86_400_000],
];

/**
 * How long an error text says to wait, in ms: "Please try again in 20s", "retry in 1m30s",
 * "try again in 2 hours and 5 minutes", "try again in 250ms", or an HTTP Retry-After quoted in it
 * ("retry-after: 30", in seconds). Undefined when it names no wait. For a `done.failure`'s
 * `retryAfterMs`.
 */
export function retryAfterMsIn(text: string): number | undefined {
  const phrase = /(?:try again in|retry in)\s+((?:\d+(?:\.\d+)?\s*[a-z]+(?:\s*,\s*|\s+and\s+|\s*)?)+)/i.exec(text);
  if (phrase !== null) {
    let total: number | undefined;
    for (const [, amount, unit] of (phrase[1] as string).matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/gi)) {
      const factor = UNIT_MS.find(([pattern]) => pattern.test((unit as string).toLowerCase()))?.[1];
      if (factor !== undefined) total = (total ?? 0) + Number(amount) * factor;
    }
    if (total !== undefined) return Math.round(total);
  }
  const retryAfter = /retry[-_ ]after\D{0,4}(\d{1,6})\b/i.exec(text);
  return retryAfter === null ? undefined : Number(retryAfter[1]) * 1000;
}
