import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PACK_BRAND, type PackManifest } from '@forge-core/sdk';
import pack, { fakeAgent } from '../src/index.ts';
import { FAKE_CLAUDE_SCRIPT, fakeClaudeInvocation } from '../src/fake-claude-invocation.ts';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { forge: PackManifest };

describe('fake-agent pack', () => {
  it('exports the executors its manifest declares', () => {
    assert.equal(pack.$$type, PACK_BRAND);
    assert.deepEqual(pack.executors, [fakeAgent]);
    assert.deepEqual(packageJson.forge, { manifestVersion: 1, sdk: '^1.0.0', kind: 'executor', entry: './src/index.ts', contributes: { executors: ['fake-agent'] } });
    assert.deepEqual(pack.executors.map((executor) => executor.id), packageJson.forge.contributes.executors);
  });

  it('is available wherever the host runs, since it needs only node', async () => {
    const lookUp = () => Promise.reject(new Error('detect must not look anything up or run anything'));
    const result = await fakeAgent.detect({ findExecutable: lookUp, exec: lookUp, signal: new AbortController().signal, config: {} });
    assert.deepEqual(result, { available: true, version: process.versions.node });
  });

  it('runs the fake CLI with Claude Code\'s arguments and passes the scenario in the environment', () => {
    const invocation = fakeClaudeInvocation('do it', { scenario: 'hang', delayMs: 25, ignoreSigterm: true, model: 'claude-opus-4-1', rateLimitedRuns: undefined, rateLimitResetMs: undefined }, 'session-1');
    assert.deepEqual(invocation, {
      command: process.execPath,
      args: [FAKE_CLAUDE_SCRIPT, '-p', '--verbose', '--output-format', 'stream-json', '--model', 'claude-opus-4-1', '--resume', 'session-1'],
      spawnOptions: { env: { FAKE_AGENT_SCENARIO: 'hang', FAKE_AGENT_DELAY_MS: '25', FAKE_AGENT_IGNORE_SIGTERM: '1' }, stdin: 'do it' },
    });
    const plain = fakeClaudeInvocation('do it', { scenario: 'success', delayMs: 0, ignoreSigterm: false, model: undefined, rateLimitedRuns: undefined, rateLimitResetMs: undefined });
    assert.deepEqual(plain.args, [FAKE_CLAUDE_SCRIPT, '-p', '--verbose', '--output-format', 'stream-json']);
    assert.equal(plain.spawnOptions.env?.['FAKE_AGENT_IGNORE_SIGTERM'], '0');
  });
});
