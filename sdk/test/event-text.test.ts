import assert from 'node:assert/strict';
import { shortLine, truncate } from '@forge-core/sdk';

describe('event-text: text fit for stored events', () => {
  it('leaves text within the cap alone', () => {
    assert.equal(truncate('short', 5), 'short');
  });

  it('cuts longer text to the cap, note included, saying how much was cut', () => {
    const cut = truncate('x'.repeat(1000), 100);
    assert.ok(cut.length <= 100, `${cut.length} characters`);
    assert.equal(cut, `${'x'.repeat(76)}… [924 more characters]`);
    assert.equal(truncate('x'.repeat(50), 10), '… [50 more characters]', 'a cap shorter than the note keeps no text');
  });

  it('makes one short line: the first line, whitespace collapsed, capped with an ellipsis', () => {
    assert.equal(shortLine('  npm   test\n--watch'), 'npm test');
    assert.equal(shortLine('\r\nsecond'), 'second');
    assert.equal(shortLine('abcdefghij', 5), 'abcd…');
    assert.equal(shortLine('x'.repeat(300)).length, 200);
  });
});
