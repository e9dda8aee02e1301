import assert from 'node:assert/strict';
import { createRecordingLogger } from '@forge-core/sdk/testing';
import type { GeminiConfig, GeminiOptions } from '../src/gemini-options.ts';
import { GEMINI_AUTH_HINT, geminiRunPlan } from '../src/gemini-run-plan.ts';

const OPTIONS: GeminiOptions = { mode: undefined, model: undefined, turnTimeoutMs: 3_600_000, idleTimeoutMs: 600_000, apiKey: undefined, extraArgs: [] };
const CONFIG: GeminiConfig = { command: 'gemini', model: undefined, passEnv: [], acpFlag: 'auto' };

function plan(options: Partial<GeminiOptions> = {}, config: Partial<GeminiConfig> = {}, source: NodeJS.ProcessEnv = {}) {
  const { log, logged } = createRecordingLogger();
  const result = geminiRunPlan({ prompt: 'Fix it.', options: { ...OPTIONS, ...options }, config: { ...CONFIG, ...config }, command: { command: 'npx', args: ['-y', '@google/gemini-cli@0.61.0'] }, flag: '--acp' }, log, source);
  return { result, logged };
}

describe('gemini run plan', () => {
  it('starts the command setting with the ACP flag and then the extra arguments', () => {
    const { result } = plan({ extraArgs: ['--include-directories', '../lib'] });
    assert.deepEqual([result.command, result.args], ['npx', ['-y', '@google/gemini-cli@0.61.0', '--acp', '--include-directories', '../lib']]);
    assert.deepEqual([result.agentName, result.prompt, result.authHint], ['Gemini CLI', 'Fix it.', GEMINI_AUTH_HINT]);
  });

  it('leaves mode and model to gemini when none is given, so its own default mode asks for approvals', () => {
    const { result } = plan();
    assert.equal('mode' in result, false);
    assert.equal('model' in result, false);
    assert.equal('resumeSessionId' in result, false);
  });

  it('takes the attempt\'s mode and model, and the model setting when the attempt names none', () => {
    const { result } = plan({ mode: 'autoEdit', model: 'gemini-2.5-pro' }, { model: 'gemini-3.8-flash' });
    assert.deepEqual([result.mode, result.model], ['autoEdit', 'gemini-2.5-pro']);
    assert.equal(plan({ model: '' }, { model: 'gemini-3.8-flash' }).result.model, 'gemini-3.8-flash');
  });

  it('passes the server variables passEnv names, warning about a name that is not one', () => {
    const { result, logged } = plan({}, { passEnv: ['GOOGLE_CLOUD_PROJECT', 'GEMINI_API_KEY', 'not-a-name', 'UNSET'] }, { GOOGLE_CLOUD_PROJECT: 'proj', GEMINI_API_KEY: 'server-key' });
    assert.deepEqual(result.env, { GOOGLE_CLOUD_PROJECT: 'proj', GEMINI_API_KEY: 'server-key' });
    assert.equal(logged.filter((line) => line.startsWith('warn: passEnv: "not-a-name"')).length, 1);
  });

  it('never puts the apiKey option in the plan, and drops a passed GEMINI_API_KEY so the attempt\'s own key, which the host sets, wins', () => {
    const { result } = plan({ apiKey: 'attempt-key' }, { passEnv: ['GEMINI_API_KEY', 'GOOGLE_CLOUD_PROJECT'] }, { GEMINI_API_KEY: 'server-key', GOOGLE_CLOUD_PROJECT: 'proj' });
    assert.deepEqual(result.env, { GOOGLE_CLOUD_PROJECT: 'proj' });
    assert.equal(JSON.stringify(result).includes('attempt-key'), false);
  });

  it('carries the bounds and the session a follow-up continues', () => {
    const { log } = createRecordingLogger();
    const result = geminiRunPlan({ prompt: 'Go on.', options: { ...OPTIONS, turnTimeoutMs: 0, idleTimeoutMs: 5_000 }, config: CONFIG, command: { command: 'gemini', args: [] }, flag: '--experimental-acp', resumeSessionId: 'sess-1' }, log, {});
    assert.deepEqual([result.args, result.turnTimeoutMs, result.idleTimeoutMs, result.resumeSessionId], [['--experimental-acp'], 0, 5_000, 'sess-1']);
  });
});
