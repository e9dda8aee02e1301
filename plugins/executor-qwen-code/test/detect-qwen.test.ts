import assert from 'node:assert/strict';
import type { CommandResult } from '@forge-core/sdk';
import { createFakeDetectContext } from '@forge-core/sdk/testing';
import { detectQwen } from '../src/detect-qwen.ts';

const detectContext = (config: Record<string, unknown>, onPath: Record<string, string>, answer: CommandResult) => createFakeDetectContext({ config, onPath, answer });

describe('qwen-code detect', () => {
  it('finds qwen on the PATH and reports the version `qwen --version` prints', async () => {
    const ctx = detectContext({ command: 'qwen' }, { qwen: '/usr/local/bin/qwen' }, { code: 0, stdout: '0.15.10\n', stderr: '' });
    assert.deepEqual(await detectQwen(ctx), { available: true, version: '0.15.10' });
    assert.deepEqual([ctx.lookedUp, ctx.ran], [['qwen'], [{ command: '/usr/local/bin/qwen', args: ['--version'] }]]);
  });

  it('runs a command line setting with its own arguments', async () => {
    const ctx = detectContext({ command: 'npx -y @qwen-code/qwen-code@0.24.4' }, { npx: '/usr/bin/npx' }, { code: 0, stdout: '0.24.4\n', stderr: '' });
    assert.deepEqual(await detectQwen(ctx), { available: true, version: '0.24.4' });
    assert.deepEqual(ctx.ran, [{ command: '/usr/bin/npx', args: ['-y', '@qwen-code/qwen-code@0.24.4', '--version'] }]);
  });

  it('says what to install when qwen is not on the PATH', async () => {
    const result = await detectQwen(detectContext({}, {}, { code: 0, stdout: '', stderr: '' }));
    assert.equal(result.available, false);
    assert.match(result.reason ?? '', /`qwen` is not on the PATH.*npm install -g @qwen-code\/qwen-code/);
  });

  it('reports a qwen whose --version fails, with what it printed', async () => {
    const ctx = detectContext({ command: 'qwen' }, { qwen: '/usr/local/bin/qwen' }, { code: 1, stdout: '', stderr: 'SyntaxError: Unexpected token (Node 20 is too old for this release)\n' });
    const result = await detectQwen(ctx);
    assert.equal(result.available, false);
    assert.match(result.reason ?? '', /^`qwen --version` exited with code 1: SyntaxError/);
  });

  it('reports a setting it cannot read instead of throwing', async () => {
    const result = await detectQwen(detectContext({ command: "'unclosed" }, {}, { code: 0, stdout: '', stderr: '' }));
    assert.equal(result.available, false);
    assert.match(result.reason ?? '', /executors\.qwen-code\.command/);
  });
});
