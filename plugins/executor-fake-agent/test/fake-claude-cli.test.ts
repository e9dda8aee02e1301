import assert from 'node:assert/strict';
import { makeTempDir, type TempDir } from '@forge-core/sdk/testing';
import { runCli } from './support/run-cli.ts';


const jsonLines = (stdout: string) => stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

describe('fake-claude CLI', () => {
  let dir: TempDir;
  beforeEach(async () => (dir = await makeTempDir('fake-claude')));
  afterEach(() => dir.cleanup());

  for (const formatArgs of [['--output-format', 'stream-json'], ['--output-format=stream-json']]) {
    it(`refuses ${formatArgs.join(' ')} without --verbose, as Claude Code does`, async () => {
      const { code, stdout, stderr } = await runCli(['-p', ...formatArgs], dir.path, 'write a.txt x');
      assert.equal(code, 1);
      assert.equal(stderr, 'Error: When using --print, --output-format=stream-json requires --verbose\n');
      assert.equal(stdout, '');
    });
  }

  it('takes the prompt as an argument, ignores flags it does not know, and prints one JSON object a line', async () => {
    const args = ['--print', '--max-turns', '3', '--dangerously-skip-permissions', '--brand-new-flag', '--output-format=stream-json', '--verbose', 'write from-arg.txt hi'];
    const { code, stdout } = await runCli(args, dir.path);
    assert.equal(code, 0);
    const messages = jsonLines(stdout);
    assert.deepEqual([messages[0]?.['type'], messages[0]?.['subtype']], ['system', 'init']);
    assert.deepEqual([messages.at(-1)?.['type'], messages.at(-1)?.['subtype'], messages.at(-1)?.['result']], ['result', 'success', 'Wrote 1 file(s): from-arg.txt']);
    assert.equal(new Set(messages.map((message) => message['session_id'])).size, 1);
  });

  it('uses --session-id as the session id and rejects one that is not a UUID', async () => {
    const sessionId = '5f0c2b1a-9d8e-4f7a-b6c5-d4e3f2a1b0c9';
    const ok = await runCli(['-p', '--verbose', '--output-format', 'stream-json', '--session-id', sessionId], dir.path, 'hello');
    assert.equal(ok.code, 0);
    assert.ok(jsonLines(ok.stdout).every((message) => message['session_id'] === sessionId));

    const bad = await runCli(['-p', '--verbose', '--output-format', 'stream-json', '--session-id', 'nope'], dir.path, 'hello');
    assert.deepEqual([bad.code, bad.stderr], [1, 'Error: Invalid session ID. Must be a valid UUID.\n']);
  });

  it('fails when there is no prompt on stdin or in the arguments', async () => {
    const { code, stderr } = await runCli(['-p', '--verbose', '--output-format', 'stream-json'], dir.path, '');
    assert.equal(code, 1);
    assert.match(stderr, /Input must be provided either through stdin or as a prompt argument/);
  });

  it('pauses FAKE_AGENT_DELAY_MS before each message', async () => {
    // Paced, the CLI is still waiting to print its second message when the first arrives, so a
    // stop sent then leaves exactly one message; unpaced, it prints them all in one burst.
    let runningAtFirstLine: boolean | null = null;
    const args = ['-p', '--verbose', '--output-format', 'stream-json'];
    const { signal, stdout } = await runCli(args, dir.path, 'hello', { FAKE_AGENT_DELAY_MS: '2000' }, (soFar, child) => {
      if (runningAtFirstLine !== null || !soFar.includes('\n')) return;
      runningAtFirstLine = child.exitCode === null;
      child.kill('SIGTERM');
    });
    assert.equal(runningAtFirstLine, true);
    assert.equal(signal, 'SIGTERM');
    assert.deepEqual(jsonLines(stdout).map((message) => [message['type'], message['subtype']]), [['system', 'init']]);
  });

  it('names the scenarios it knows when FAKE_AGENT_SCENARIO is wrong', async () => {
    const { code, stderr } = await runCli(['-p', '--verbose', '--output-format', 'stream-json'], dir.path, 'hello', { FAKE_AGENT_SCENARIO: 'explode' });
    assert.equal(code, 1);
    assert.equal(stderr, 'fake-claude: FAKE_AGENT_SCENARIO must be one of success, fail, hang, garbage, crash, rate-limit, received "explode"\n');
  });

  it('prints only the result object with --output-format json', async () => {
    const { code, stdout } = await runCli(['-p', '--output-format', 'json'], dir.path, 'write j.txt x');
    assert.equal(code, 0);
    const [result, ...rest] = jsonLines(stdout);
    assert.deepEqual([result?.['type'], result?.['is_error'], rest.length], ['result', false, 0]);
  });
});
