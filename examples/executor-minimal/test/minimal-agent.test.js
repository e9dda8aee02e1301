// @ts-check
// The conformance kit replays recordings; this runs the real agent, so a change to it that the
// recordings no longer match fails here. Re-record a transcript with:
//   printf '<prompt>' | node bin/minimal-agent.js > test/transcripts/<name>.jsonl
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const AGENT = fileURLToPath(new URL('../bin/minimal-agent.js', import.meta.url));
const TRANSCRIPTS = new URL('./transcripts/', import.meta.url);
/** Session ids are random in every run. */
const withoutSession = (/** @type {string} */ output) => output.replace(/"session":"[^"]+"/g, '"session":"…"');

describe('minimal-agent', () => {
  /** @type {string} */
  let cwd;
  beforeEach(() => {
    cwd = mkdtempSync(path.join(tmpdir(), 'minimal-agent-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  for (const [name, args] of /** @type {const} */ ([['writes-two-files', []], ['nothing-to-do', []], ['dry-run', ['--dry-run']]])) {
    it(`still prints what transcripts/${name}.jsonl recorded`, () => {
      const expected = JSON.parse(readFileSync(new URL(`${name}.expected.json`, TRANSCRIPTS), 'utf8'));
      const result = spawnSync(process.execPath, [AGENT, ...args], { cwd, input: expected.input.prompt, encoding: 'utf8' });
      assert.equal(withoutSession(result.stdout), withoutSession(readFileSync(new URL(`${name}.jsonl`, TRANSCRIPTS), 'utf8')));
      assert.equal(result.status, expected.exitCode ?? 0);
    });
  }

  it('writes and appends inside its working directory, and refuses to leave it', () => {
    const run = (/** @type {string} */ prompt) => spawnSync(process.execPath, [AGENT], { cwd, input: prompt, encoding: 'utf8' });
    assert.equal(run('write hello.txt Hello\nappend hello.txt again\n').status, 0);
    assert.equal(readFileSync(path.join(cwd, 'hello.txt'), 'utf8'), 'Hello\nagain\n');
    const refused = run('write ../escaped.txt nope\n');
    assert.equal(refused.status, 1);
    assert.match(refused.stdout, /Refusing to write \.\.\/escaped\.txt/);
  });
});
