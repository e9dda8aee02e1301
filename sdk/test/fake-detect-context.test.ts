import assert from 'node:assert/strict';
import { createFakeDetectContext } from '@forge-core/sdk/testing';

describe('createFakeDetectContext: a machine for testing detect', () => {
  it('finds only what is on its PATH, and keeps every lookup and command in order', async () => {
    const ctx = createFakeDetectContext({ onPath: { agent: '/opt/bin/agent' }, answer: { code: 0, stdout: 'agent 1.2.3\n', stderr: '' }, config: { command: 'agent' } });
    assert.deepEqual([await ctx.findExecutable('agent'), await ctx.findExecutable('other')], ['/opt/bin/agent', null]);
    assert.deepEqual(await ctx.exec('/opt/bin/agent', ['--version']), { code: 0, stdout: 'agent 1.2.3\n', stderr: '' });
    assert.deepEqual([ctx.lookedUp, ctx.ran, ctx.config, ctx.signal.aborted], [['agent', 'other'], [{ command: '/opt/bin/agent', args: ['--version'] }], { command: 'agent' }, false]);
  });

  it('has an empty PATH, no settings, and commands that succeed silently, unless told otherwise', async () => {
    const ctx = createFakeDetectContext();
    assert.deepEqual([await ctx.findExecutable('agent'), await ctx.exec('/bin/true', []), ctx.config], [null, { code: 0, stdout: '', stderr: '' }, {}]);
  });
});
