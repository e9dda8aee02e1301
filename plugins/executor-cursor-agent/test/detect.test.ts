import assert from 'node:assert/strict';
import type { CommandResult } from '@forge-core/sdk';
import { createFakeDetectContext } from '@forge-core/sdk/testing';
import { cursorAgent } from '../src/index.ts';

const machine = (onPath: Record<string, string>, answer: CommandResult, config: Record<string, unknown> = { command: 'cursor-agent' }) => createFakeDetectContext({ onPath, answer, config });

const VERSION: CommandResult = { code: 0, stdout: '2026.08.25-3e8eec8\n', stderr: '' };

describe('cursor-agent detect', () => {
  it('finds cursor-agent on the PATH and reports its dated build', async () => {
    const ctx = machine({ 'cursor-agent': '/home/dev/.local/bin/cursor-agent' }, VERSION);
    assert.deepEqual(await cursorAgent.detect(ctx), { available: true, version: '2026.08.25-3e8eec8' });
    assert.deepEqual(ctx.ran, [{ command: '/home/dev/.local/bin/cursor-agent', args: ['--version'] }]);
  });

  it('reads a build with a time in it, and runs `agent` when the setting names it', async () => {
    const ctx = machine({ agent: '/usr/local/bin/agent' }, { code: 0, stdout: '2026.06.12-01-15-52-7244546\n', stderr: '' }, { command: 'agent' });
    assert.deepEqual(await cursorAgent.detect(ctx), { available: true, version: '2026.06.12-01-15-52-7244546' });
  });

  it('says what to install and log into when cursor-agent is not on the PATH', async () => {
    const result = await cursorAgent.detect(machine({}, VERSION));
    assert.equal(result.available, false);
    assert.match(result.reason ?? '', /^`cursor-agent` is not on the PATH of the Forge server\. Install Cursor's CLI with `curl https:\/\/cursor\.com\/install -fsS \| bash` and log in with `cursor-agent login`/);
  });

  it('reports a cursor-agent whose --version fails, with what it said', async () => {
    const result = await cursorAgent.detect(machine({ 'cursor-agent': '/usr/bin/cursor-agent' }, { code: 127, stdout: '', stderr: 'node: not found' }));
    assert.equal(result.available, false);
    assert.match(result.reason ?? '', /^`cursor-agent --version` exited with code 127: node: not found\./);
  });
});
