import { numberAt, recordAt, type JsonRecord, type UsageEvent } from '@forge-core/sdk';

/** A token count as the event schema takes it: a non-negative integer, or nothing. */
function tokens(record: JsonRecord | undefined, key: string): number | undefined {
  const value = numberAt(record, key);
  return value !== undefined && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * One model request's tokens (codex's `last` breakdown) as a usage event. OpenAI counts cached
 * input inside `inputTokens`; the event counts it apart, as cacheReadTokens, so inputTokens is
 * the uncached part. Reasoning tokens are part of outputTokens.
 */
function usageOf(last: JsonRecord): UsageEvent {
  const input = tokens(last, 'inputTokens');
  const cached = tokens(last, 'cachedInputTokens');
  const cacheWrite = tokens(last, 'cacheWriteInputTokens');
  const output = tokens(last, 'outputTokens');
  return {
    type: 'usage',
    ...(input === undefined ? {} : { inputTokens: Math.max(0, input - (cached ?? 0)) }),
    ...(output === undefined ? {} : { outputTokens: output }),
    ...(cached === undefined ? {} : { cacheReadTokens: cached }),
    ...(cacheWrite === undefined ? {} : { cacheWriteTokens: cacheWrite }),
  };
}

/**
 * Usage from `thread/tokenUsage/updated`. Each update carries `last` (the model request just
 * finished) and `total` (the whole thread, earlier runs before a resume included). The events
 * carry `last`, so a run's usage events add up to what this run used; an update whose total
 * did not move repeats the one before and is skipped.
 */
export class CodexUsage {
  #total: number | undefined;

  update(tokenUsage: JsonRecord | undefined): UsageEvent | undefined {
    const last = recordAt(tokenUsage, 'last');
    if (last === undefined) return undefined;
    const total = tokens(recordAt(tokenUsage, 'total'), 'totalTokens');
    if (total !== undefined && total === this.#total) return undefined;
    this.#total = total;
    return usageOf(last);
  }
}
