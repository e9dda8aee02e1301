import assert from 'node:assert/strict';
import type { CommandResult } from '@forge-core/sdk';
import { createFakeDetectContext } from '@forge-core/sdk/testing';
import { detectCodex } from '../src/detect-codex.ts';

const detectContext = (config: Record<string, unknown>, onPath: Record<string, string>, answer: CommandResult) => createFakeDetectContext({ config, onPath, answer });

const VERSION_OUTPUT: CommandResult = { code: 0, stdout: 'codex-cli 0.171.0\n', stderr: '' };

describe('codex detect', () => {
  it('finds codex on the PATH and reports the version `codex --version` prints', async () => {
    const ctx = detectContext({ command: 'codex' }, { codex: '/usr/local/bin/codex' }, VERSION_OUTPUT);
    assert.deepEqual(await detectCodex(ctx), { available: true, version: '0.171.0' });
    assert.deepEqual([ctx.lookedUp, ctx.ran], [['codex'], [{ command: '/usr/local/bin/codex', args: ['--version'] }]]);
  });

  it('runs a command line setting with its own arguments, and a path without looking it up', async () => {
    const npx = detectContext({ command: 'npx -y @openai/codex@0.171.0' }, { npx: '/usr/bin/npx' }, VERSION_OUTPUT);
    assert.deepEqual(await detectCodex(npx), { available: true, version: '0.171.0' });
    assert.deepEqual(npx.ran, [{ command: '/usr/bin/npx', args: ['-y', '@openai/codex@0.171.0', '--version'] }]);

    const byPath = detectContext({ command: '/opt/codex/bin/codex' }, {}, VERSION_OUTPUT);
    assert.equal((await detectCodex(byPath)).available, true);
    assert.deepEqual(byPath.lookedUp, []);
  });

  it('says what to install when codex is not on the PATH', async () => {
    const ctx = detectContext({}, {}, VERSION_OUTPUT);
    const result = await detectCodex(ctx);
    assert.equal(result.available, false);
    assert.match(result.reason ?? '', /`codex` is not on the PATH.*npm install -g @openai\/codex/);
    assert.deepEqual(ctx.ran, []);
  });

  it('reports a codex whose --version fails, with what it printed', async () => {
    const ctx = detectContext({ command: 'codex' }, { codex: '/usr/local/bin/codex' }, { code: 1, stdout: '', stderr: 'Error: Cannot find module @openai/codex-linux-x64\n    at …' });
    const result = await detectCodex(ctx);
    assert.equal(result.available, false);
    assert.match(result.reason ?? '', /^`codex --version` exited with code 1: Error: Cannot find module @openai\/codex-linux-x64\. Install/);
  });

  it('reports a setting it cannot read instead of throwing', async () => {
    for (const command of ['codex "unclosed', '   ']) {
      const ctx = detectContext({ command }, {}, VERSION_OUTPUT);
      const result = await detectCodex(ctx);
      assert.equal(result.available, false);
      assert.match(result.reason ?? '', /executors\.codex\.command/);
    }
  });
});
