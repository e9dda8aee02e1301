import assert from 'node:assert/strict';
import type { CommandResult } from '@forge-core/sdk';
import { createFakeDetectContext } from '@forge-core/sdk/testing';
import { detectGemini } from '../src/detect-gemini.ts';

const detectContext = (config: Record<string, unknown>, onPath: Record<string, string>, answer: CommandResult) => createFakeDetectContext({ config, onPath, answer });

describe('gemini detect', () => {
  it('finds gemini on the PATH and reports the version `gemini --version` prints', async () => {
    const ctx = detectContext({ command: 'gemini' }, { gemini: '/usr/local/bin/gemini' }, { code: 0, stdout: '0.61.0\n', stderr: '' });
    assert.deepEqual(await detectGemini(ctx), { available: true, version: '0.61.0' });
    assert.deepEqual([ctx.lookedUp, ctx.ran], [['gemini'], [{ command: '/usr/local/bin/gemini', args: ['--version'] }]]);
  });

  it('keeps a pre-release suffix, which decides the ACP flag of a nightly', async () => {
    const ctx = detectContext({ command: '/opt/gemini-nightly/bin/gemini' }, {}, { code: 0, stdout: '0.34.0-nightly.20260303.34f0c1538\n', stderr: '' });
    assert.deepEqual(await detectGemini(ctx), { available: true, version: '0.34.0-nightly.20260303.34f0c1538' });
  });

  it('runs a command line setting with its own arguments', async () => {
    const ctx = detectContext({ command: 'npx -y @google/gemini-cli@0.61.0' }, { npx: '/usr/bin/npx' }, { code: 0, stdout: '0.61.0\n', stderr: '' });
    assert.deepEqual(await detectGemini(ctx), { available: true, version: '0.61.0' });
    assert.deepEqual(ctx.ran, [{ command: '/usr/bin/npx', args: ['-y', '@google/gemini-cli@0.61.0', '--version'] }]);
  });

  it('says what to install when gemini is not on the PATH', async () => {
    const result = await detectGemini(detectContext({}, {}, { code: 0, stdout: '', stderr: '' }));
    assert.equal(result.available, false);
    assert.match(result.reason ?? '', /`gemini` is not on the PATH.*npm install -g @google\/gemini-cli.*log in/);
  });

  it('reports a gemini whose --version fails, with what it printed', async () => {
    const ctx = detectContext({ command: 'gemini' }, { gemini: '/usr/local/bin/gemini' }, { code: 1, stdout: '', stderr: 'Error: Cannot find module node-pty\n' });
    const result = await detectGemini(ctx);
    assert.equal(result.available, false);
    assert.match(result.reason ?? '', /^`gemini --version` exited with code 1: Error: Cannot find module node-pty\. Install Gemini CLI/);
  });

  it('reports a setting it cannot read instead of throwing', async () => {
    const result = await detectGemini(detectContext({ command: 'gemini "unclosed' }, {}, { code: 0, stdout: '', stderr: '' }));
    assert.equal(result.available, false);
    assert.match(result.reason ?? '', /executors\.gemini\.command/);
  });
});
