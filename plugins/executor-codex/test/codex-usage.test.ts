import assert from 'node:assert/strict';
import { CodexUsage } from '../src/codex-usage.ts';

function breakdown(inputTokens: number, cachedInputTokens: number, outputTokens: number, extra: Record<string, number> = {}) {
  return { totalTokens: inputTokens + outputTokens, inputTokens, cachedInputTokens, outputTokens, reasoningOutputTokens: 0, ...extra };
}

describe('codex token usage', () => {
  it('reports each model request (`last`), with cached input apart from the uncached part', () => {
    const usage = new CodexUsage();
    assert.deepEqual(usage.update({ last: breakdown(8123, 6912, 214, { cacheWriteInputTokens: 12 }), total: breakdown(8123, 6912, 214) }), {
      type: 'usage',
      inputTokens: 1211,
      outputTokens: 214,
      cacheReadTokens: 6912,
      cacheWriteTokens: 12,
    });
    assert.deepEqual(usage.update({ last: breakdown(500, 0, 20), total: breakdown(8623, 6912, 234) }), { type: 'usage', inputTokens: 500, outputTokens: 20, cacheReadTokens: 0 });
  });

  it('skips an update that repeats the previous one (its total did not move)', () => {
    const usage = new CodexUsage();
    const update = { last: breakdown(100, 0, 10), total: breakdown(1100, 0, 110) };
    assert.notEqual(usage.update(update), undefined);
    assert.equal(usage.update(update), undefined);
  });

  it('ignores updates without a `last` breakdown and counts that are not token counts', () => {
    const usage = new CodexUsage();
    assert.equal(usage.update(undefined), undefined);
    assert.equal(usage.update({ total: breakdown(1, 0, 1) }), undefined);
    assert.deepEqual(usage.update({ last: { inputTokens: -3, outputTokens: 2.5, cachedInputTokens: 'x' } }), { type: 'usage' });
  });
});
