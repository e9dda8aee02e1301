import assert from 'node:assert/strict';
import { createRecordingLogger } from '@forge-core/sdk/testing';
import { copilotModeId } from '../src/copilot-modes.ts';
import { copilotConfig, type CopilotOptions } from '../src/copilot-options.ts';
import { copilotRunPlan } from '../src/copilot-plan.ts';

const OPTIONS: CopilotOptions = {
  mode: undefined,
  model: undefined,
  turnTimeoutMs: 3_600_000,
  idleTimeoutMs: 600_000,
  githubToken: undefined,
  extraArgs: [],
};

const plan = (options: Partial<CopilotOptions> = {}, config: Record<string, unknown> = {}, source: NodeJS.ProcessEnv = {}, resumeSessionId?: string) =>
  copilotRunPlan({ prompt: 'Fix it.', options: { ...OPTIONS, ...options }, ...(resumeSessionId === undefined ? {} : { resumeSessionId }) }, copilotConfig(config), createRecordingLogger().log, source);

describe('the copilot run plan', () => {
  it('starts `<command> --acp` and then the extra arguments, with a command line setting split into words', () => {
    assert.deepEqual([plan().command, plan().args], ['copilot', ['--acp']]);
    const npx = plan({ extraArgs: ['--disable-mcp-server', 'playwright'] }, { command: 'npx -y @github/copilot@1.0.102' });
    assert.deepEqual([npx.command, npx.args], ['npx', ['-y', '@github/copilot@1.0.102', '--acp', '--disable-mcp-server', 'playwright']]);
    assert.deepEqual(plan({}, { command: '"/opt/my tools/copilot"' }).command, '/opt/my tools/copilot');
  });

  it('names the setting when the command cannot be read or is blank', () => {
    assert.throws(() => plan({}, { command: 'copilot "unclosed' }), /^TypeError: the setting executors\.copilot\.command cannot be read: .*unclosed " quote/);
    assert.throws(() => plan({}, { command: '   ' }), /executors\.copilot\.command is blank/);
  });

  it('passes the prompt, the session to continue and the bounds of the attempt', () => {
    const resumed = plan({ turnTimeoutMs: 5_000, idleTimeoutMs: 0 }, {}, {}, '7c1e2f0a-3b59-4d2e-9a61-0f4b8c2d5e17');
    assert.equal(resumed.prompt, 'Fix it.');
    assert.equal(resumed.resumeSessionId, '7c1e2f0a-3b59-4d2e-9a61-0f4b8c2d5e17');
    assert.deepEqual([resumed.turnTimeoutMs, resumed.idleTimeoutMs], [5_000, 0]);
    assert.equal('resumeSessionId' in plan(), false);
  });

  it('takes a mode by its word and sends copilot its ACP URI; a URI or an unknown word goes as written', () => {
    assert.equal(plan({ mode: 'plan' }).mode, 'https://agentclientprotocol.com/protocol/session-modes#plan');
    assert.equal(plan({ mode: 'autopilot' }).mode, 'https://agentclientprotocol.com/protocol/session-modes#autopilot');
    assert.equal(plan({ mode: 'https://agentclientprotocol.com/protocol/session-modes#agent' }).mode, 'https://agentclientprotocol.com/protocol/session-modes#agent');
    assert.equal(copilotModeId('review'), 'review');
    assert.equal('mode' in plan({ mode: '' }), false, "an empty mode keeps copilot's own");
  });

  it("uses the attempt's model, else the setting's, else none", () => {
    assert.equal(plan({ model: 'gpt-5' }, { model: 'claude-sonnet-4.5' }).model, 'gpt-5');
    assert.equal(plan({ model: '' }, { model: 'claude-sonnet-4.5' }).model, 'claude-sonnet-4.5');
    assert.equal('model' in plan(), false);
  });

  it("copies the server variables passEnv names, and leaves the server's COPILOT_GITHUB_TOKEN behind when the attempt gives its own token", () => {
    const { log, logged } = createRecordingLogger();
    const source = { COPILOT_GITHUB_TOKEN: 'github_pat_server', GH_TOKEN: 'gho_server', COPILOT_CACHE_HOME: '/var/cache/copilot', SECRET: 'no' };
    const config = copilotConfig({ passEnv: ['COPILOT_GITHUB_TOKEN', 'GH_TOKEN', 'COPILOT_CACHE_HOME', 'NOT_SET', 'lower-case'] });
    const run = (githubToken?: string) => copilotRunPlan({ prompt: 'x', options: { ...OPTIONS, githubToken } }, config, log, source);

    assert.deepEqual(run().env, { COPILOT_GITHUB_TOKEN: 'github_pat_server', GH_TOKEN: 'gho_server', COPILOT_CACHE_HOME: '/var/cache/copilot' });
    // The host sets COPILOT_GITHUB_TOKEN from the githubToken secret itself; the plan must neither repeat nor shadow it.
    assert.deepEqual(run('github_pat_attempt').env, { GH_TOKEN: 'gho_server', COPILOT_CACHE_HOME: '/var/cache/copilot' });
    assert.equal(JSON.stringify(run('github_pat_attempt')).includes('github_pat_attempt'), false);
    assert.ok(logged.includes('warn: passEnv: "lower-case" is not an environment variable name (/^[A-Z][A-Z0-9_]*$/); skipped'));
  });

  it('tells a logged-out user the three ways in', () => {
    const hint = plan().authHint;
    assert.match(hint, /run `copilot`, then \/login/);
    assert.match(hint, /gh auth login/);
    assert.match(hint, /githubToken option, or COPILOT_GITHUB_TOKEN, GH_TOKEN or GITHUB_TOKEN named in passEnv/);
    assert.equal(plan().agentName, 'Copilot CLI');
  });

  it('fills in the settings a bare configuration leaves out', () => {
    assert.deepEqual(copilotConfig({}), { command: 'copilot', model: undefined, passEnv: [] });
    assert.deepEqual(copilotConfig({ command: '/usr/bin/copilot', model: '', passEnv: ['A', 3] }), { command: '/usr/bin/copilot', model: undefined, passEnv: ['A'] });
  });
});
