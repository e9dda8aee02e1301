import assert from 'node:assert/strict';
import { commandLine, commandSetting, splitCommandLine } from '@forge-core/sdk';

describe('command-line: a command setting split into words', () => {
  it('splits as a shell would for plain words, quotes and backslashes, expanding nothing', () => {
    assert.deepEqual(splitCommandLine('codex'), ['codex']);
    assert.deepEqual(splitCommandLine('  npx -y @openai/codex@0.171.0 '), ['npx', '-y', '@openai/codex@0.171.0']);
    assert.deepEqual(splitCommandLine(`"/opt/my tools/codex" --profile 'work it'`), ['/opt/my tools/codex', '--profile', 'work it']);
    assert.deepEqual(splitCommandLine('a\\ b "c\\"d" \'e\\f\' ""'), ['a b', 'c"d', 'e\\f', '']);
    assert.deepEqual(splitCommandLine('$HOME/bin/claude *'), ['$HOME/bin/claude', '*']);
    assert.deepEqual(splitCommandLine(''), []);
    assert.throws(() => splitCommandLine('codex "unclosed'), { name: 'SyntaxError', message: /unclosed " quote/ });
  });

  it('gives the program and its first arguments, or undefined for a blank setting', () => {
    assert.deepEqual(commandLine('npx -y @anthropic-ai/claude-code@2.1.197'), { command: 'npx', args: ['-y', '@anthropic-ai/claude-code@2.1.197'] });
    assert.deepEqual(commandLine('claude'), { command: 'claude', args: [] });
    assert.equal(commandLine(' \t'), undefined);
    assert.throws(() => commandLine("claude 'x"), SyntaxError);
  });
});

describe('commandSetting: an executor\'s command setting read for a run', () => {
  it('gives the program and its arguments, or why it cannot be used, naming the setting', () => {
    assert.deepEqual(commandSetting('amp', 'npx -y @sourcegraph/amp', 'Amp'), { command: 'npx', args: ['-y', '@sourcegraph/amp'] });
    assert.deepEqual(commandSetting('amp', '   ', 'Amp'), { problem: 'The setting executors.amp.command is blank, so there is no Amp to run.' });
    assert.deepEqual(commandSetting('amp', 'amp "--x', 'Amp'), { problem: 'The setting executors.amp.command cannot be read: the command line "amp \\"--x" has an unclosed " quote.' });
  });
});
