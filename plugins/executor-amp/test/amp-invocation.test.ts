import assert from 'node:assert/strict';
import { ampInvocation, type AmpRunRequest } from '../src/amp-invocation.ts';
import { ampSettings } from '../src/amp-options.ts';
import { DEFAULT_OPTIONS, withOptions } from './support/options.ts';

const request = (overrides: Partial<AmpRunRequest> = {}): AmpRunRequest => ({
  prompt: 'Fix the build.\nThen run the tests.',
  options: DEFAULT_OPTIONS,
  settings: ampSettings({}),
  command: { command: 'amp', args: [] },
  env: {},
  ...overrides,
});

describe('ampInvocation', () => {
  it('runs amp in execute mode with stream-json, every tool allowed, the whole prompt on stdin (closed after it)', () => {
    assert.deepEqual(ampInvocation(request()), {
      command: 'amp',
      args: ['--execute', '--stream-json', '--dangerously-allow-all'],
      spawnOptions: { env: {}, stdin: 'Fix the build.\nThen run the tests.' },
    });
  });

  it('continues a thread with `threads continue <id>` before the flags, as the amp-sdk does', () => {
    const { args } = ampInvocation(request({ threadId: 'T-0f3b1c2e-5d6a-4b7c-8e9f-a1b2c3d4e5f6' }));
    assert.deepEqual(args, ['threads', 'continue', 'T-0f3b1c2e-5d6a-4b7c-8e9f-a1b2c3d4e5f6', '--execute', '--stream-json', '--dangerously-allow-all']);
  });

  it('leaves permissions to amp\'s own rules without allowAll, and passes mode, visibility, thinking, MCP file and extra arguments', () => {
    const { args } = ampInvocation(
      request({
        options: withOptions({ allowAll: false, mode: 'rush', visibility: 'private', thinking: true, extraArgs: ['--log-level', 'debug'] }),
        mcpConfigFile: '/scratch/amp-mcp-config.json',
      }),
    );
    assert.deepEqual(args, ['--execute', '--stream-json', '--stream-json-thinking', '--mode', 'rush', '--visibility', 'private', '--mcp-config', '/scratch/amp-mcp-config.json', '--log-level', 'debug']);
  });

  it("takes the settings' mode when the options name none, and the options' over it", () => {
    const settings = ampSettings({ mode: 'deep' });
    assert.deepEqual(ampInvocation(request({ settings })).args.slice(-2), ['--mode', 'deep']);
    assert.deepEqual(ampInvocation(request({ settings, options: withOptions({ mode: 'smart' }) })).args.slice(-2), ['--mode', 'smart']);
    assert.ok(!ampInvocation(request({ settings: ampSettings({ mode: '' }) })).args.includes('--mode'));
  });

  it('runs a command line from the settings, its words first, and hands amp the passed environment', () => {
    const invocation = ampInvocation(request({ command: { command: 'npx', args: ['-y', '@sourcegraph/amp@0.0.1790142911-g7618fb'] }, env: { AMP_URL: 'https://amp.internal' } }));
    assert.equal(invocation.command, 'npx');
    assert.deepEqual(invocation.args.slice(0, 3), ['-y', '@sourcegraph/amp@0.0.1790142911-g7618fb', '--execute']);
    assert.deepEqual(invocation.spawnOptions.env, { AMP_URL: 'https://amp.internal' });
  });

  it('never puts the API key in the arguments or the environment it sets: the host sets AMP_API_KEY from the secret option', () => {
    const invocation = ampInvocation(request({ options: withOptions({ apiKey: 'sgamp_user_secret' }) }));
    assert.ok(!JSON.stringify(invocation).includes('sgamp_user_secret'));
  });
});

describe('ampSettings', () => {
  it('fills in the defaults of a bare configuration', () => {
    assert.deepEqual(ampSettings({}), { command: 'amp', mode: undefined, passEnv: [] });
    assert.deepEqual(ampSettings({ command: '/opt/amp/bin/amp', mode: 'rush', passEnv: ['AMP_URL'] }), { command: '/opt/amp/bin/amp', mode: 'rush', passEnv: ['AMP_URL'] });
  });
});
