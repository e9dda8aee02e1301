import assert from 'node:assert/strict';
import type { CommandResult } from '@forge-core/sdk';
import { createFakeDetectContext } from '@forge-core/sdk/testing';
import { detectCopilot } from '../src/detect-copilot.ts';

const detectContext = (config: Record<string, unknown>, onPath: Record<string, string>, answer: CommandResult) => createFakeDetectContext({ config, onPath, answer });

// What copilot 1.0.102 printed in the offline probe.
const VERSION_OUTPUT: CommandResult = { code: 0, stdout: "GitHub Copilot CLI 1.0.102.\nRun 'copilot update' to check for updates.\n", stderr: '' };

describe('copilot detect', () => {
  it('finds copilot on the PATH and reports its version without the full stop after it', async () => {
    const ctx = detectContext({ command: 'copilot' }, { copilot: '/usr/local/bin/copilot' }, VERSION_OUTPUT);
    assert.deepEqual(await detectCopilot(ctx), { available: true, version: '1.0.102' });
    assert.deepEqual([ctx.lookedUp, ctx.ran], [['copilot'], [{ command: '/usr/local/bin/copilot', args: ['--version'] }]]);
  });

  it('keeps the suffix of a pre-release version', async () => {
    const ctx = detectContext({}, { copilot: '/usr/local/bin/copilot' }, { code: 0, stdout: 'GitHub Copilot CLI 1.0.81-2.\n', stderr: '' });
    assert.equal((await detectCopilot(ctx)).version, '1.0.81-2');
  });

  it('runs a command line setting with its own arguments', async () => {
    const ctx = detectContext({ command: 'npx -y @github/copilot@1.0.102' }, { npx: '/usr/bin/npx' }, VERSION_OUTPUT);
    assert.deepEqual(await detectCopilot(ctx), { available: true, version: '1.0.102' });
    assert.deepEqual(ctx.ran, [{ command: '/usr/bin/npx', args: ['-y', '@github/copilot@1.0.102', '--version'] }]);
  });

  it('says what to install when copilot is not on the PATH', async () => {
    const ctx = detectContext({}, {}, VERSION_OUTPUT);
    const result = await detectCopilot(ctx);
    assert.equal(result.available, false);
    assert.match(result.reason ?? '', /`copilot` is not on the PATH.*npm install -g @github\/copilot/);
    assert.deepEqual(ctx.ran, []);
  });

  it('reports a copilot whose --version fails, and a setting it cannot read, instead of throwing', async () => {
    const broken = await detectCopilot(detectContext({}, { copilot: '/usr/local/bin/copilot' }, { code: 1, stdout: '', stderr: 'Error: Cannot find module @github/copilot-linux-x64' }));
    assert.match(broken.reason ?? '', /^`copilot --version` exited with code 1: Error: Cannot find module @github\/copilot-linux-x64\. Install/);
    const unreadable = await detectCopilot(detectContext({ command: 'copilot "unclosed' }, {}, VERSION_OUTPUT));
    assert.equal(unreadable.available, false);
    assert.match(unreadable.reason ?? '', /executors\.copilot\.command/);
  });
});
