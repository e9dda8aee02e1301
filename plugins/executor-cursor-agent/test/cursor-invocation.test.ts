import assert from 'node:assert/strict';
import { createRecordingLogger } from '@forge-core/sdk/testing';
import { cursorInvocation, type CursorRunRequest } from '../src/cursor-invocation.ts';
import { cursorAgentConfig, DEFAULT_TURN_TIMEOUT_MS, type CursorAgentOptions } from '../src/cursor-options.ts';

const OPTIONS: CursorAgentOptions = { model: undefined, force: true, extraArgs: [], apiKey: undefined, turnTimeoutMs: DEFAULT_TURN_TIMEOUT_MS };

function invocation(options: Partial<CursorAgentOptions> = {}, config: Record<string, unknown> = {}, extra: Partial<CursorRunRequest> = {}, environment: NodeJS.ProcessEnv = {}) {
  const { log, logged } = createRecordingLogger();
  const request: CursorRunRequest = { prompt: 'Fix the bug.\nThen test.', options: { ...OPTIONS, ...options }, config: cursorAgentConfig(config), command: { command: 'cursor-agent', args: [] }, ...extra };
  return { ...cursorInvocation(request, log, environment), logged };
}

describe('cursor-agent invocation', () => {
  it('runs print mode with stream-json in a trusted worktree, with --force, the prompt on stdin', () => {
    const { command, args, stdin, env, partialOutput } = invocation();
    assert.equal(command, 'cursor-agent');
    assert.deepEqual(args, ['-p', '--output-format', 'stream-json', '--trust', '--force']);
    assert.equal(stdin, 'Fix the bug.\nThen test.');
    assert.deepEqual(env, {});
    assert.equal(partialOutput, false);
  });

  it('leaves --force out when the option says so', () => {
    assert.deepEqual(invocation({ force: false }).args, ['-p', '--output-format', 'stream-json', '--trust']);
  });

  it('takes the model from the option, else from the setting', () => {
    assert.deepEqual(invocation({ model: 'gpt-5' }, { model: 'sonnet-4' }).args.slice(-2), ['--model', 'gpt-5']);
    assert.deepEqual(invocation({}, { model: 'sonnet-4' }).args.slice(-2), ['--model', 'sonnet-4']);
    assert.ok(!invocation({}, { model: '' }).args.includes('--model'));
  });

  it('resumes the chat of a follow-up with --resume <chatId>', () => {
    assert.deepEqual(invocation({}, {}, { sessionId: 'c6b62c6f-7ead-4fd6-9922-e952131177ff' }).args.slice(-2), ['--resume', 'c6b62c6f-7ead-4fd6-9922-e952131177ff']);
  });

  it('puts the command line\'s own words first and extraArgs last, noticing --stream-partial-output', () => {
    const { command, args, partialOutput } = invocation({ extraArgs: ['--stream-partial-output', '--sandbox', 'enabled'] }, {}, { command: { command: '/opt/cursor/agent', args: ['--endpoint', 'https://api2.cursor.sh'] } });
    assert.equal(command, '/opt/cursor/agent');
    assert.deepEqual(args, ['--endpoint', 'https://api2.cursor.sh', '-p', '--output-format', 'stream-json', '--trust', '--force', '--stream-partial-output', '--sandbox', 'enabled']);
    assert.equal(partialOutput, true);
  });

  it('never puts the API key in argv: the host gives it to cursor-agent as CURSOR_API_KEY', () => {
    const { args, env } = invocation({ apiKey: 'key_live_0123456789' });
    assert.ok(!args.some((arg) => arg.includes('key_live_0123456789')));
    assert.deepEqual(env, {});
  });

  it('passes the variables passEnv names that the server has, and warns about names that are not names', () => {
    const { env, logged } = invocation({}, { passEnv: ['CURSOR_API_KEY', 'HTTPS_PROXY', 'UNSET_ONE', 'not a name'] }, {}, { CURSOR_API_KEY: 'k', HTTPS_PROXY: 'http://proxy:3128' });
    assert.deepEqual(env, { CURSOR_API_KEY: 'k', HTTPS_PROXY: 'http://proxy:3128' });
    assert.equal(logged.length, 1);
    assert.match(logged[0] ?? '', /^warn: passEnv: "not a name" is not an environment variable name/);
  });
});
