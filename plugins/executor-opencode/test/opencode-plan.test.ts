import assert from 'node:assert/strict';
import { createRecordingLogger } from '@forge-core/sdk/testing';
import { opencodeConfig, type OpencodeOptions } from '../src/opencode-options.ts';
import { opencodePermission } from '../src/opencode-permission.ts';
import { opencodeRunPlan } from '../src/opencode-plan.ts';

const OPTIONS: OpencodeOptions = {
  mode: undefined,
  model: undefined,
  turnTimeoutMs: 3_600_000,
  idleTimeoutMs: 600_000,
  permission: 'ask',
  anthropicApiKey: undefined,
  openaiApiKey: undefined,
  extraArgs: [],
};

const plan = (options: Partial<OpencodeOptions> = {}, config: Record<string, unknown> = {}, source: NodeJS.ProcessEnv = {}, resumeSessionId?: string) =>
  opencodeRunPlan({ prompt: 'Fix it.', options: { ...OPTIONS, ...options }, ...(resumeSessionId === undefined ? {} : { resumeSessionId }) }, opencodeConfig(config), createRecordingLogger().log, source);

describe('the opencode run plan', () => {
  it('starts `<command> acp` and then the extra arguments, with a command line setting split into words', () => {
    assert.deepEqual([plan().command, plan().args], ['opencode', ['acp']]);
    const npx = plan({ extraArgs: ['--print-logs'] }, { command: 'npx -y opencode-ai@1.18.33' });
    assert.deepEqual([npx.command, npx.args], ['npx', ['-y', 'opencode-ai@1.18.33', 'acp', '--print-logs']]);
  });

  it('names the setting when the command cannot be read or is blank', () => {
    assert.throws(() => plan({}, { command: "opencode 'unclosed" }), /^TypeError: the setting executors\.opencode\.command cannot be read: .*unclosed ' quote/);
    assert.throws(() => plan({}, { command: '' }), /executors\.opencode\.command is blank/);
  });

  it('makes opencode ask before edits, shell commands and fetches unless the attempt allows them', () => {
    assert.equal(opencodePermission('ask'), '{"edit":"ask","bash":"ask","webfetch":"ask"}');
    assert.deepEqual(plan().env, { OPENCODE_PERMISSION: '{"edit":"ask","bash":"ask","webfetch":"ask"}' });
    assert.deepEqual(JSON.parse(plan({ permission: 'allow' }).env['OPENCODE_PERMISSION'] ?? ''), { edit: 'allow', bash: 'allow', webfetch: 'allow' });
    // A server variable of that name does not override the attempt's choice.
    assert.equal(plan({}, { passEnv: ['OPENCODE_PERMISSION'] }, { OPENCODE_PERMISSION: '"allow"' }).env['OPENCODE_PERMISSION'], opencodePermission('ask'));
  });

  it("copies the server variables passEnv names, and leaves a provider key behind when the attempt gives its own", () => {
    const { log, logged } = createRecordingLogger();
    const source = { ANTHROPIC_API_KEY: 'sk-ant-server', OPENAI_API_KEY: 'sk-server', OPENROUTER_API_KEY: 'sk-or', SECRET: 'no' };
    const config = opencodeConfig({ passEnv: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'OPENROUTER_API_KEY', 'lower-case'] });
    const run = (options: Partial<OpencodeOptions>) => opencodeRunPlan({ prompt: 'x', options: { ...OPTIONS, ...options } }, config, log, source);
    const { OPENCODE_PERMISSION: _permission, ...passed } = run({}).env;
    assert.deepEqual(passed, { ANTHROPIC_API_KEY: 'sk-ant-server', OPENAI_API_KEY: 'sk-server', OPENROUTER_API_KEY: 'sk-or' });
    // The host sets ANTHROPIC_API_KEY from the anthropicApiKey secret itself; the plan must neither repeat nor shadow it.
    const withKey = run({ anthropicApiKey: 'sk-ant-attempt' });
    assert.equal('ANTHROPIC_API_KEY' in withKey.env, false);
    assert.equal(withKey.env['OPENAI_API_KEY'], 'sk-server');
    assert.equal(JSON.stringify(withKey).includes('sk-ant-attempt'), false);
    assert.equal('OPENAI_API_KEY' in run({ openaiApiKey: 'sk-attempt' }).env, false);
    assert.ok(logged.some((line) => line.startsWith('warn: passEnv: "lower-case"')));
  });

  it("passes the mode and model (the attempt's before the setting's), the session to continue and the bounds", () => {
    const resumed = plan({ mode: 'plan', model: 'anthropic/claude-sonnet-4', idleTimeoutMs: 120_000 }, { model: 'openai/gpt-5' }, {}, 'ses_dc2cfa14bffeFlkheG8rSf9P4b');
    assert.deepEqual([resumed.mode, resumed.model, resumed.resumeSessionId, resumed.idleTimeoutMs], ['plan', 'anthropic/claude-sonnet-4', 'ses_dc2cfa14bffeFlkheG8rSf9P4b', 120_000]);
    assert.equal(plan({ model: '' }, { model: 'openai/gpt-5' }).model, 'openai/gpt-5');
    const bare = plan();
    assert.deepEqual(['mode' in bare, 'model' in bare, 'resumeSessionId' in bare], [false, false, false]);
  });

  it('tells a user whose provider refuses the run how to give opencode a key', () => {
    assert.equal(plan().agentName, 'OpenCode');
    assert.match(plan().authHint, /anthropicApiKey or openaiApiKey option.*passEnv.*`opencode auth login`/);
  });

  it('fills in the settings a bare configuration leaves out', () => {
    assert.deepEqual(opencodeConfig({}), { command: 'opencode', model: undefined, passEnv: [] });
    assert.deepEqual(opencodeConfig({ command: '/usr/bin/opencode', model: '', passEnv: ['A', 3] }), { command: '/usr/bin/opencode', model: undefined, passEnv: ['A'] });
  });
});
