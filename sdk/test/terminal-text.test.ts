import assert from 'node:assert/strict';
import { visibleText, withoutTerminalEscapes } from '@forge-core/sdk';

describe('terminal-text: what a terminal would have shown', () => {
  it('drops colours, cursor moves, titles and hyperlinks', () => {
    assert.equal(withoutTerminalEscapes('\u001b[2m2026-01-01\u001b[0m \u001b[33mWARN\u001b[0m codex'), '2026-01-01 WARN codex');
    assert.equal(withoutTerminalEscapes('\u001b]0;title\u0007\u001b]8;;https://x.test\u001b\\link\u001b]8;;\u001b\\ \u001b[2K\u001bMdone'), 'link done');
  });

  it('keeps only the last state of a line redrawn with carriage returns', () => {
    assert.equal(visibleText('\u001b[32m 10%\r 55%\r100%\u001b[0m\r'), '100%');
    assert.equal(visibleText('plain'), 'plain');
    assert.equal(visibleText('\r'), '');
  });
});
