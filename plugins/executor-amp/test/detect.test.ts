import assert from 'node:assert/strict';
import type { CommandResult } from '@forge-core/sdk';
import { createFakeDetectContext } from '@forge-core/sdk/testing';
import { amp } from '../src/index.ts';

/** What 0.0.1790142911-g7618fb printed for `amp --version` (real-cli-offline/amp-0.0.1790142911-g7618fb.txt, run 1). */
const VERSION: CommandResult = { code: 0, stdout: '0.0.1790142911-g7618fb (released 2026-09-23T05:55:11.000Z, 2mo ago)\n', stderr: '' };

const machine = (onPath: Record<string, string>, answer: CommandResult, config: Record<string, unknown> = { command: 'amp' }) => createFakeDetectContext({ onPath, answer, config });

describe('amp detect', () => {
  it('finds amp on the PATH and reports the version it prints', async () => {
    const ctx = machine({ amp: '/usr/local/bin/amp' }, VERSION);
    assert.deepEqual(await amp.detect(ctx), { available: true, version: '0.0.1790142911-g7618fb' });
    assert.deepEqual(ctx.ran, [{ command: '/usr/local/bin/amp', args: ['--version'] }]);
  });

  it('runs a command line from the settings, looking up its first word', async () => {
    const ctx = machine({ npx: '/usr/bin/npx' }, VERSION, { command: 'npx -y @sourcegraph/amp@0.0.1790142911-g7618fb' });
    assert.deepEqual(await amp.detect(ctx), { available: true, version: '0.0.1790142911-g7618fb' });
    assert.deepEqual(ctx.ran, [{ command: '/usr/bin/npx', args: ['-y', '@sourcegraph/amp@0.0.1790142911-g7618fb', '--version'] }]);
  });

  it('says what to install and how to log in when amp is not on the PATH', async () => {
    const result = await amp.detect(machine({}, VERSION));
    assert.equal(result.available, false);
    assert.match(result.reason ?? '', /^`amp` is not on the PATH of the Forge server\. Install Amp with `npm install -g @sourcegraph\/amp`.*amp login/);
  });

  it('reports an amp whose --version fails, and a setting it cannot read, never throwing', async () => {
    const broken = await amp.detect(machine({ amp: '/usr/local/bin/amp' }, { code: 1, stdout: '', stderr: 'amp: cannot execute binary file' }));
    assert.match(broken.reason ?? '', /^`amp --version` exited with code 1: amp: cannot execute binary file\. Install Amp/);
    assert.deepEqual(await amp.detect(machine({}, VERSION, { command: 'amp "--x' })), {
      available: false,
      reason: 'The setting executors.amp.command cannot be read: the command line "amp \\"--x" has an unclosed " quote.',
    });
  });
});
