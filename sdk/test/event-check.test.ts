import assert from 'node:assert/strict';
import { MAX_EVENT_INPUT_CHARS, checkExecutorEvent, checkPackManifest, type ExecutorEvent, type ExecutorEventType } from '../src/index.ts';

function rejects(value: unknown): string {
  const check = checkExecutorEvent(value);
  assert.equal(check.ok, false, `accepted ${JSON.stringify(value)}`);
  return (check as { message: string }).message;
}

// The Record makes the compiler ask for samples of every event type.
const valid: Record<ExecutorEventType, ExecutorEvent[]> = {
  session: [{ type: 'session', sessionId: 's' }, { type: 'session', sessionId: 'abc-123', model: 'claude-sonnet' }],
  message: [{ type: 'message', role: 'assistant', text: 'hi' }, { type: 'message', role: 'system', text: '' }],
  thinking: [{ type: 'thinking', text: 'hmm' }],
  tool_call: [
    { type: 'tool_call', callId: 'c', tool: 'Bash', action: 'command' },
    { type: 'tool_call', callId: 'c', tool: 'Read', action: 'file_read', summary: 'a.ts', input: { path: 'a.ts', lines: [1, 2] } },
  ],
  tool_result: [{ type: 'tool_result', callId: 'c', isError: false }, { type: 'tool_result', callId: 'c', isError: true, output: '' }],
  file_change: [{ type: 'file_change', path: 'a.txt', change: 'added' }, { type: 'file_change', path: 'b', change: 'renamed', oldPath: 'a' }],
  approval_request: [{ type: 'approval_request', requestId: 'r', tool: 'Bash' }, { type: 'approval_request', requestId: 'r', tool: 'Bash', input: 'rm -rf x' }],
  usage: [{ type: 'usage' }, { type: 'usage', inputTokens: 0, outputTokens: 10, cacheReadTokens: 3, cacheWriteTokens: 4, costUsd: 0.25 }],
  log: [{ type: 'log', level: 'warn', text: 'x' }, { type: 'log', level: 'info', stream: 'stderr', text: '' }],
  done: [{ type: 'done', status: 'succeeded' }, { type: 'done', status: 'failed', summary: 's', error: 'e', exitCode: null }, { type: 'done', status: 'cancelled', exitCode: 137 }],
};

// One broken sample per type, with the message it must give.
const invalid: Record<ExecutorEventType, [unknown, string]> = {
  session: [{ type: 'session', sessionId: '' }, 'session event: at sessionId: must not be empty'],
  message: [{ type: 'message', role: 'robot', text: 'x' }, 'message event: at role: must be one of "assistant", "user", "system", received "robot"'],
  thinking: [{ type: 'thinking' }, 'thinking event: at text: is required'],
  tool_call: [{ type: 'tool_call', callId: 7, tool: 'Bash', action: 'command' }, 'tool_call event: at callId: must be a string, received 7'],
  tool_result: [{ type: 'tool_result', callId: 'c', isError: 'no' }, 'tool_result event: at isError: must be a boolean, received "no"'],
  file_change: [{ type: 'file_change', path: 'a', change: 'touched' }, 'file_change event: at change: must be one of "added", "modified", "deleted", "renamed", received "touched"'],
  approval_request: [{ type: 'approval_request', tool: 'Bash' }, 'approval_request event: at requestId: is required'],
  usage: [{ type: 'usage', outputTokens: 1.5 }, 'usage event: at outputTokens: must be an integer, received 1.5'],
  log: [{ type: 'log', level: 'info', stream: 'stdin', text: 'x' }, 'log event: at stream: must be one of "stdout", "stderr", received "stdin"'],
  done: [{ type: 'done', status: 'done' }, 'done event: at status: must be one of "succeeded", "failed", "cancelled", received "done"'],
};

describe('checkExecutorEvent', () => {
  it('accepts well-formed events of every type and hands back the same object', () => {
    for (const event of Object.values(valid).flat()) {
      const check = checkExecutorEvent(event);
      assert.ok(check.ok, `${JSON.stringify(event)}: ${JSON.stringify(check)}`);
      assert.equal(check.event, event);
    }
  });

  it('rejects a broken event of every type, naming the type and the field', () => {
    for (const [value, message] of Object.values(invalid)) assert.equal(rejects(value), message);
  });

  it('rejects non-objects and unknown types, including names on Object.prototype', () => {
    assert.equal(rejects(null), 'an event must be an object, received null');
    assert.equal(rejects('done'), 'an event must be an object, received "done"');
    assert.equal(rejects([{ type: 'done', status: 'succeeded' }]), 'an event must be an object, received an array of 1 items');
    assert.equal(rejects({ type: 'foo' }), 'unknown event type "foo"');
    assert.equal(rejects({ type: 'constructor' }), 'unknown event type "constructor"');
    assert.equal(rejects({ status: 'succeeded' }), 'unknown event type undefined');
  });

  it('rejects a property the contract does not have, listing the ones it has', () => {
    assert.equal(rejects({ type: 'session', sessionId: 's', sessionID: 't' }), 'session event: at sessionID: is not allowed here (allowed: type, sessionId, model)');
  });

  it('treats a property set to undefined as absent, as JSON does', () => {
    assert.ok(checkExecutorEvent({ type: 'done', status: 'succeeded', summary: undefined }).ok);
    assert.equal(rejects({ type: 'thinking', text: undefined }), 'thinking event: at text: is required');
  });

  it('rejects negative and non-finite numbers', () => {
    assert.equal(rejects({ type: 'usage', inputTokens: -1 }), 'usage event: at inputTokens: must be >= 0, received -1');
    assert.equal(rejects({ type: 'usage', costUsd: Number.NaN }), 'usage event: at costUsd: must be a number, received NaN');
    assert.equal(rejects({ type: 'done', status: 'failed', exitCode: Infinity }), 'done event: at exitCode: must be an integer or null, received Infinity');
  });

  it('counts string lengths in characters, and never repeats a huge value in its message', () => {
    assert.ok(checkExecutorEvent({ type: 'thinking', text: 'x'.repeat(1_000_000) }).ok);
    // 1,000,000 emoji are 2,000,000 UTF-16 units but exactly the limit in characters.
    assert.ok(checkExecutorEvent({ type: 'thinking', text: '😀'.repeat(1_000_000) }).ok);
    const message = rejects({ type: 'thinking', text: 'x'.repeat(1_000_001) });
    assert.match(message, /^thinking event: at text: must be at most 1000000 characters, received "x{40}"… \(1000001 characters\)$/);
    assert.match(rejects({ type: 'session', sessionId: 'i'.repeat(256) }), /at sessionId: must be at most 255 characters/);
  });

  it('requires a tool input to be plain JSON of bounded size, since it is stored and streamed as JSON', () => {
    const call = { type: 'tool_call', callId: 'c', tool: 't', action: 'other' };
    assert.equal(checkExecutorEvent({ ...call, input: { path: 'a.txt', lines: [1, 2] } }).ok, true);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const input of [{ n: 10n }, cycle, () => 1, { big: 'x'.repeat(MAX_EVENT_INPUT_CHARS) }]) {
      const check = checkExecutorEvent({ ...call, input });
      assert.equal(check.ok, false);
      assert.match((check as { message: string }).message, /^tool_call event: at input: must be/);
    }
    const approval = checkExecutorEvent({ type: 'approval_request', requestId: 'r', tool: 't', input: { n: 1n } });
    assert.match((approval as { message: string }).message, /^approval_request event: at input: must be plain JSON data/);
  });
});

const manifest = { manifestVersion: 1, sdk: '^1.0.0', kind: 'executor', entry: './src/index.ts', contributes: { executors: ['my-agent'] } };

describe('checkPackManifest', () => {
  it('accepts a valid manifest and names the package', () => {
    assert.deepEqual(checkPackManifest({ name: 'p', version: '1.2.3', forge: manifest }), { ok: true, name: 'p', version: '1.2.3', manifest });
    const gitProviders = { ...manifest, kind: 'git-provider', contributes: { gitProviders: ['gitea'] } };
    assert.ok(checkPackManifest({ name: 'p', version: '1.0.0', forge: gitProviders }).ok);
  });

  it('reports every problem with its path', () => {
    const forge = { manifestVersion: 2, sdk: '', kind: 'robot', entry: 'src/index.ts', contributes: { executors: ['ok-id', 'Bad_Id', 'ok-id'], tools: [] }, extra: true };
    assert.deepEqual(checkPackManifest({ name: 'p', version: '1.0.0', forge }), {
      ok: false,
      name: 'p',
      version: '1.0.0',
      problems: [
        'at forge.manifestVersion: must be 1, received 2',
        'at forge.sdk: must not be empty',
        'at forge.kind: must be one of "executor", "git-provider", "pack", received "robot"',
        'at forge.entry: must match ^\\./(?!.*\\.\\.), received "src/index.ts"',
        'at forge.contributes.executors[1]: must match ^[a-z][a-z0-9-]{1,39}$, received "Bad_Id"',
        'at forge.contributes.executors[2]: duplicates item [0] ("ok-id")',
        'at forge.contributes.tools: is not allowed here (allowed: executors, gitProviders)',
        'at forge.extra: is not allowed here (allowed: manifestVersion, sdk, kind, entry, contributes)',
      ],
    });
  });

  it('keeps the entry inside the package', () => {
    for (const entry of ['../outside.js', './a/../../b.js', './..', '/abs.js']) {
      const check = checkPackManifest({ forge: { ...manifest, entry } });
      assert.ok(!check.ok && check.problems[0]!.startsWith('at forge.entry: must match'), entry);
    }
  });

  it('asks for at least one kind of contribution', () => {
    const check = checkPackManifest({ forge: { ...manifest, contributes: {} } });
    assert.deepEqual(!check.ok && check.problems, ['at forge.contributes: must have at least 1 of executors, gitProviders']);
  });

  it('reports a missing manifest or a package.json that is not an object, with placeholder name and version', () => {
    assert.deepEqual(checkPackManifest({ name: 'p' }), { ok: false, name: 'p', version: '0.0.0', problems: ['at forge: is required'] });
    assert.deepEqual(checkPackManifest('nope'), { ok: false, name: '(unnamed package)', version: '0.0.0', problems: ['must be an object, received "nope"'] });
    const missing = checkPackManifest({ forge: { kind: 'pack' } });
    assert.deepEqual(!missing.ok && missing.problems, ['manifestVersion', 'sdk', 'entry', 'contributes'].map((key) => `at forge.${key}: is required`));
  });
});
