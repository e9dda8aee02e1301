import assert from 'node:assert/strict';
import type { CommandResult } from '@forge-core/sdk';
import { createFakeDetectContext } from '@forge-core/sdk/testing';
import { detectOpencode } from '../src/detect-opencode.ts';

const detectContext = (config: Record<string, unknown>, onPath: Record<string, string>, answer: CommandResult) => createFakeDetectContext({ config, onPath, answer });

// What opencode 1.18.33 printed in the offline probe.
const VERSION_OUTPUT: CommandResult = { code: 0, stdout: '1.18.33\n', stderr: '' };

describe('opencode detect', () => {
  it('finds opencode on the PATH and reports the version it prints', async () => {
    const ctx = detectContext({ command: 'opencode' }, { opencode: '/usr/local/bin/opencode' }, VERSION_OUTPUT);
    assert.deepEqual(await detectOpencode(ctx), { available: true, version: '1.18.33' });
    assert.deepEqual([ctx.lookedUp, ctx.ran], [['opencode'], [{ command: '/usr/local/bin/opencode', args: ['--version'] }]]);
  });

  it('runs a command line setting with its own arguments, and a path without looking it up', async () => {
    const npx = detectContext({ command: 'npx -y opencode-ai@1.18.33' }, { npx: '/usr/bin/npx' }, VERSION_OUTPUT);
    assert.deepEqual(await detectOpencode(npx), { available: true, version: '1.18.33' });
    assert.deepEqual(npx.ran, [{ command: '/usr/bin/npx', args: ['-y', 'opencode-ai@1.18.33', '--version'] }]);
    const byPath = detectContext({ command: '/opt/opencode/bin/opencode' }, {}, VERSION_OUTPUT);
    assert.equal((await detectOpencode(byPath)).available, true);
    assert.deepEqual(byPath.lookedUp, []);
  });

  it('says what to install when opencode is not on the PATH, and reports a broken one', async () => {
    const missing = await detectOpencode(detectContext({}, {}, VERSION_OUTPUT));
    assert.equal(missing.available, false);
    assert.match(missing.reason ?? '', /`opencode` is not on the PATH.*npm install -g opencode-ai/);
    const broken = await detectOpencode(detectContext({}, { opencode: '/usr/local/bin/opencode' }, { code: 1, stdout: '', stderr: 'It seems that your package manager failed to install the right version of the opencode CLI' }));
    assert.match(broken.reason ?? '', /^`opencode --version` exited with code 1: It seems that your package manager failed/);
  });
});
