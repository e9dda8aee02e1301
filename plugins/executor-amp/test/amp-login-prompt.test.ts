import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AMP_LOGIN_HELP, loginPromptEnding } from '../src/amp-login-prompt.ts';

const PROBED = readFileSync(new URL('./transcripts/not-logged-in-0.0.1790142911.jsonl', import.meta.url), 'utf8').split('\n');

describe('loginPromptEnding', () => {
  it("ends the run as an auth failure at the first line of amp's login prompt, telling how to give amp credentials", () => {
    const done = loginPromptEnding({ stream: 'stdout', text: PROBED[0] ?? '' });
    assert.deepEqual(done, {
      type: 'done',
      status: 'failed',
      error: `amp is not logged in: it started its interactive login ("No API key found. Starting login flow..."), which nobody can answer during a run. ${AMP_LOGIN_HELP}`,
      failure: { kind: 'auth' },
    });
    assert.match(AMP_LOGIN_HELP, /apiKey/);
    assert.match(AMP_LOGIN_HELP, /passEnv/);
    assert.match(AMP_LOGIN_HELP, /amp login/);
  });

  it('knows the prompt in colour, and a failed login on stderr', () => {
    assert.equal(loginPromptEnding({ stream: 'stdout', text: '\u001b[1mStarting login flow...\u001b[0m' })?.failure?.kind, 'auth');
    assert.equal(loginPromptEnding({ stream: 'stderr', text: 'Login failed: That code looks incomplete. Copy the full code from the browser and try again.' })?.failure?.kind, 'auth');
  });

  it('leaves every other line alone: stream-json, a message quoting the words, stderr chatter', () => {
    const lines = [
      { stream: 'stdout', text: '{"type":"assistant","message":{"content":[{"type":"text","text":"No API key found. Starting login flow..."}]}}' },
      { stream: 'stdout', text: 'Checking for updates...' },
      { stream: 'stderr', text: "Error: Couldn't connect to the Amp server at http://127.0.0.1:9." },
      { stream: 'stderr', text: 'No API key found. Starting login flow...' },
    ] as const;
    for (const line of lines) assert.equal(loginPromptEnding(line), undefined, line.text);
  });
});
