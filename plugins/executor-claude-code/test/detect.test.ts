import assert from 'node:assert/strict';
import type { CommandResult } from '@forge-core/sdk';
import { createFakeDetectContext } from '@forge-core/sdk/testing';
import { claudeCode } from '../src/index.ts';

/** A machine where `onPath` maps names to paths, and running anything answers `answer`. */
const machine = (onPath: Record<string, string>, answer: CommandResult, config: Record<string, unknown> = { command: 'claude' }) => createFakeDetectContext({ onPath, answer, config });

const VERSION: CommandResult = { code: 0, stdout: '2.1.197 (Claude Code)\n', stderr: '' };

describe('claude-code detect', () => {
  it('finds claude on the PATH and reports the version it prints', async () => {
    const ctx = machine({ claude: '/usr/local/bin/claude' }, VERSION);
    assert.deepEqual(await claudeCode.detect(ctx), { available: true, version: '2.1.197' });
    assert.deepEqual(ctx.ran, [{ command: '/usr/local/bin/claude', args: ['--version'] }]);
  });

  it('runs a command line from the settings, looking up its first word', async () => {
    const ctx = machine({ npx: '/usr/bin/npx' }, VERSION, { command: 'npx -y @anthropic-ai/claude-code@2.1.197' });
    assert.deepEqual(await claudeCode.detect(ctx), { available: true, version: '2.1.197' });
    assert.deepEqual(ctx.ran, [{ command: '/usr/bin/npx', args: ['-y', '@anthropic-ai/claude-code@2.1.197', '--version'] }]);
  });

  it('says what to install when claude is not on the PATH', async () => {
    const ctx = machine({}, VERSION);
    const result = await claudeCode.detect(ctx);
    assert.equal(result.available, false);
    assert.match(result.reason ?? '', /^`claude` is not on the PATH of the Forge server\. Install Claude Code with `npm install -g @anthropic-ai\/claude-code`/);
    assert.deepEqual(ctx.ran, []);
  });

  it('reports a claude whose --version fails, with what it said', async () => {
    const ctx = machine({ claude: '/usr/local/bin/claude' }, { code: 1, stdout: '', stderr: 'claude: error while loading shared libraries\nmore' });
    const result = await claudeCode.detect(ctx);
    assert.equal(result.available, false);
    assert.match(result.reason ?? '', /^`claude --version` exited with code 1: claude: error while loading shared libraries\. Install Claude Code/);
  });

  it('reports a blank command setting, and never throws', async () => {
    assert.equal((await claudeCode.detect(machine({}, VERSION, { command: ' ' }))).available, false);
    assert.deepEqual(await claudeCode.detect(machine({}, VERSION, { command: 'claude "--verbose' })), {
      available: false,
      reason: 'The setting executors.claude-code.command cannot be read: the command line "claude \\"--verbose" has an unclosed " quote.',
    });
    const throwing = { ...machine({}, VERSION), findExecutable: () => Promise.reject(new Error('PATH is unreadable')) };
    assert.deepEqual(await claudeCode.detect(throwing), { available: false, reason: 'Could not look for `claude`: PATH is unreadable' });
  });
});
