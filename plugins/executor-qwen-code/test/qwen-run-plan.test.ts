import assert from 'node:assert/strict';
import { createRecordingLogger } from '@forge-core/sdk/testing';
import type { QwenConfig, QwenOptions } from '../src/qwen-options.ts';
import { QWEN_AUTH_HINT, qwenRunPlan } from '../src/qwen-run-plan.ts';

const OPTIONS: QwenOptions = { mode: undefined, model: undefined, turnTimeoutMs: 3_600_000, idleTimeoutMs: 600_000, authType: 'none', apiKey: undefined, baseUrl: undefined, extraArgs: [] };
const CONFIG: QwenConfig = { command: 'qwen', model: undefined, passEnv: [] };

function plan(options: Partial<QwenOptions> = {}, config: Partial<QwenConfig> = {}, source: NodeJS.ProcessEnv = {}) {
  const { log, logged } = createRecordingLogger();
  const result = qwenRunPlan({ prompt: 'Fix it.', options: { ...OPTIONS, ...options }, config: { ...CONFIG, ...config }, command: { command: 'npx', args: ['-y', '@qwen-code/qwen-code@0.15.10'] } }, log, source);
  return { result, logged };
}

describe('qwen-code run plan', () => {
  it('starts the command setting with --acp, no auth type of its own, then the extra arguments', () => {
    const { result } = plan({ extraArgs: ['--include-directories', '../lib'] });
    assert.deepEqual([result.command, result.args], ['npx', ['-y', '@qwen-code/qwen-code@0.15.10', '--acp', '--include-directories', '../lib']]);
    assert.deepEqual([result.agentName, result.prompt, result.authHint, result.env], ['Qwen Code', 'Fix it.', QWEN_AUTH_HINT, {}]);
    assert.equal('mode' in result || 'model' in result || 'resumeSessionId' in result, false);
  });

  it('names the auth type qwen logs in with', () => {
    assert.deepEqual(plan({ authType: 'openai' }).result.args.slice(2), ['--acp', '--auth-type', 'openai']);
    assert.deepEqual(plan({ authType: 'qwen-oauth' }).result.args.slice(2), ['--acp', '--auth-type', 'qwen-oauth']);
  });

  it('with authType openai, gives the endpoint and the model in the environment, not as a session option', () => {
    const { result } = plan({ authType: 'openai', baseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', model: 'qwen3-coder-plus', mode: 'auto-edit' });
    assert.deepEqual(result.env, { OPENAI_BASE_URL: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', OPENAI_MODEL: 'qwen3-coder-plus' });
    assert.deepEqual([result.mode, 'model' in result], ['auto-edit', false]);
  });

  it('otherwise chooses the model among the session\'s own, and the model setting when the attempt names none', () => {
    assert.deepEqual([plan({ model: 'coder-model(qwen-oauth)' }).result.model, plan({}, { model: 'qwen3-coder-plus(openai)' }).result.model], ['coder-model(qwen-oauth)', 'qwen3-coder-plus(openai)']);
    assert.equal(plan({}, { model: 'qwen3-coder-plus' }).result.env['OPENAI_MODEL'], undefined);
  });

  it('passes the server variables passEnv names; an attempt\'s own key, which the host sets, wins over a passed OPENAI_API_KEY', () => {
    const source = { OPENAI_API_KEY: 'server-key', OPENAI_BASE_URL: 'https://server.example/v1' };
    assert.deepEqual(plan({}, { passEnv: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'] }, source).result.env, source);
    const { result } = plan({ authType: 'openai', apiKey: 'attempt-key', baseUrl: 'https://attempt.example/v1' }, { passEnv: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'] }, source);
    assert.deepEqual(result.env, { OPENAI_BASE_URL: 'https://attempt.example/v1' });
    assert.equal(JSON.stringify(result).includes('attempt-key'), false);
  });

  it('warns that a key without authType openai is not read by qwen', () => {
    assert.deepEqual(plan({ apiKey: 'attempt-key' }).logged, ['warn: apiKey is set but authType is none: Qwen Code reads OPENAI_API_KEY only with authType openai, or when its own settings select the openai login.']);
    assert.deepEqual(plan({ apiKey: 'attempt-key', authType: 'openai' }).logged, []);
  });
});
