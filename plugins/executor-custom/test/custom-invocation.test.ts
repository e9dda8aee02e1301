import assert from 'node:assert/strict';
import { fillTemplate } from '../src/argument-template.ts';
import { customInvocation, type InvocationRequest } from '../src/custom-invocation.ts';

const request = (options: Partial<InvocationRequest['options']>, extra: Partial<InvocationRequest> = {}): InvocationRequest => ({
  options: { command: 'agent', args: [], promptVia: 'stdin', resumeArgs: undefined, ...options },
  prompt: 'Fix the bug',
  worktree: '/work/tree',
  mcpConfig: '/scratch/mcp-servers.json',
  ...extra,
});

describe('custom invocation', () => {
  it('replaces placeholders inside arguments, each argument staying one', () => {
    assert.deepEqual(fillTemplate(['--cwd={worktree}', '{prompt}', '--mcp', '{mcpConfig}'], { prompt: 'a b', worktree: '/w', mcpConfig: '/m.json' }), [
      '--cwd=/w',
      'a b',
      '--mcp',
      '/m.json',
    ]);
  });

  it('replaces in one pass, so a prompt that names a placeholder stays as written, and leaves other braces alone', () => {
    assert.deepEqual(fillTemplate(['{prompt}', '{"json": true}', '{unknown}'], { prompt: 'see {worktree} and {sessionId}', worktree: '/w', sessionId: 's' }), [
      'see {worktree} and {sessionId}',
      '{"json": true}',
      '{unknown}',
    ]);
  });

  it('writes the prompt to stdin by default', () => {
    assert.deepEqual(customInvocation(request({ args: ['run'] })), { command: 'agent', args: ['run'], stdin: 'Fix the bug', continuesSession: false });
  });

  it('appends the prompt as the last argument with promptVia argument', () => {
    assert.deepEqual(customInvocation(request({ args: ['run', '--yes'], promptVia: 'argument' })), {
      command: 'agent',
      args: ['run', '--yes', 'Fix the bug'],
      stdin: undefined,
      continuesSession: false,
    });
  });

  it('puts the prompt where {prompt} is and closes stdin at once, whatever promptVia says', () => {
    for (const promptVia of ['stdin', 'argument'] as const) {
      const invocation = customInvocation(request({ args: ['--message', '{prompt}', '--yes-always'], promptVia }));
      assert.deepEqual(invocation.args, ['--message', 'Fix the bug', '--yes-always']);
      assert.equal(invocation.stdin, undefined);
    }
  });

  it('uses resumeArgs with the session id on a follow-up', () => {
    const invocation = customInvocation(request({ args: ['run'], resumeArgs: ['run', '--resume', '{sessionId}', '--mcp', '{mcpConfig}'] }, { sessionId: 'sess-1' }));
    assert.deepEqual(invocation, { command: 'agent', args: ['run', '--resume', 'sess-1', '--mcp', '/scratch/mcp-servers.json'], stdin: 'Fix the bug', continuesSession: true });
  });

  it('runs args afresh on a follow-up when the profile has no resumeArgs', () => {
    const invocation = customInvocation(request({ args: ['run'] }, { sessionId: 'sess-1' }));
    assert.deepEqual(invocation, { command: 'agent', args: ['run'], stdin: 'Fix the bug', continuesSession: false });
  });

  it('leaves {mcpConfig} as written when no file was written', () => {
    assert.deepEqual(customInvocation(request({ args: ['{mcpConfig}'] }, { mcpConfig: undefined })).args, ['{mcpConfig}']);
  });
});
