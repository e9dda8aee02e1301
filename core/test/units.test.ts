import assert from 'node:assert/strict';
import { checkExecutorEvent } from '@forge-core/sdk';
import { branchName } from '../src/orchestrator/branch-name.ts';
import { commitMessage } from '../src/orchestrator/commit-message.ts';
import { checkSdkRange } from '../src/plugins/compat.ts';
import { compileOptions, optionsJsonSchema, secretOptionNames, splitOptions } from '../src/plugins/executor-options.ts';
import { LineSplitter, MAX_LINE_BYTES } from '@forge-core/sdk/process';
import { newId } from '../src/store/ids.ts';

describe('line splitter', () => {
  const split = (chunks: string[]) => {
    const lines: string[] = [];
    const splitter = new LineSplitter();
    for (const chunk of chunks) splitter.push(chunk, (l) => lines.push(l));
    splitter.end((l) => lines.push(l));
    return lines;
  };

  it('joins lines split across chunks, drops CR of CRLF and keeps a last line without newline', () => {
    assert.deepEqual(split(['a', 'b\nc\r\n', '\nd']), ['ab', 'c', '', 'd']);
  });

  it('cuts a runaway line at the cap and drops the rest of it', () => {
    const lines = split(['x'.repeat(MAX_LINE_BYTES + 10), 'y'.repeat(10), '\nnext\n']);
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.length, MAX_LINE_BYTES);
    assert.equal(lines[1], 'next');
  });
});

describe('ids and names', () => {
  it('makes UUIDv7 ids that sort by creation', () => {
    const ids = Array.from({ length: 2_000 }, newId);
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
    assert.match(ids[0]!, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('names branches forge/<random tail>-<slug> that git accepts', () => {
    assert.equal(branchName('forge', '01a20eeb-9d13-749e-925c-2d8fb24b5889', 'Fix the Login bug!!'), 'forge/b24b5889-fix-the-login-bug');
    assert.equal(branchName('forge', '01a20eeb-9d13-749e-925c-2d8fb24b5889', '日本語 ../../etc'), 'forge/b24b5889-etc');
    assert.equal(branchName('forge', '01a20eeb-9d13-749e-925c-2d8fb24b5889', '!!!'), 'forge/b24b5889');
  });

  it("makes a commit message from the agent's summary, with the attempt as a trailer", () => {
    const attempt = { id: 'a1', executor: { id: 'fake-agent' } } as Parameters<typeof commitMessage>[1];
    assert.equal(commitMessage('Fix it', attempt), 'Fix it\n\nForge-Attempt: a1\nForge-Executor: fake-agent\n');
    assert.match(commitMessage(undefined, attempt), /^Changes by fake-agent\n/);
    assert.match(commitMessage(`${'long '.repeat(30)}\nbody`, attempt), /^(long ){14}l…\n\n(long ){30}\nbody/);
  });
});

describe('executor events', () => {
  it('accepts every well-formed event type', () => {
    for (const event of [
      { type: 'session', sessionId: 's' },
      { type: 'message', role: 'assistant', text: 'hi' },
      { type: 'tool_call', callId: 'c', tool: 'Bash', action: 'command', summary: 'ls' },
      { type: 'tool_result', callId: 'c', isError: false, output: '' },
      { type: 'file_change', path: 'a.txt', change: 'added' },
      { type: 'usage', inputTokens: 1, costUsd: 0.1 },
      { type: 'done', status: 'succeeded', exitCode: null },
    ]) {
      assert.deepEqual(checkExecutorEvent(event), { ok: true, event });
    }
  });

  it('rejects unknown types, prototype names, wrong fields and non-objects with a reason', () => {
    for (const value of [null, 'done', { type: 'constructor' }, { type: 'nope' }, { type: 'done', status: 'maybe' }, { type: 'log', level: 'info' }, { type: 'usage', inputTokens: -1 }]) {
      const check = checkExecutorEvent(value);
      assert.equal(check.ok, false, JSON.stringify(value));
      assert.ok(!check.ok && check.message.length > 5);
    }
  });
});

describe('pack compatibility and options', () => {
  it('accepts a range of this contract major and refuses others with the fix', () => {
    const pack = { name: 'p', version: '1' };
    assert.equal(checkSdkRange(pack, '^1.0.0'), null);
    assert.equal(checkSdkRange(pack, '1.x'), null);
    assert.equal(checkSdkRange(pack, '^1.3.0'), null, 'a pack built for this minor');
    assert.match(checkSdkRange(pack, '^1.4.0')!, /requires forge SDK \^1\.4\.0 but this host implements 1\.3\.0/, 'a later minor is refused');
    assert.match(checkSdkRange(pack, '^2.0.0')!, /requires forge SDK \^2\.0\.0 but this host implements 1\.3\.0/);
    assert.match(checkSdkRange(pack, '>=1.0.0')!, /does not pin a major/);
    assert.match(checkSdkRange(pack, '*')!, /does not pin a major/);
    assert.match(checkSdkRange(pack, 'banana')!, /not a semver range/);
  });

  it('compiles option descriptors to a validator and a JSON Schema, and splits secrets out', () => {
    const shape = {
      model: { type: 'enum', values: ['a', 'b'], default: 'a' },
      turns: { type: 'number', integer: true, min: 1, max: 5 },
      key: { type: 'secret', env: 'API_KEY' },
      cmd: { type: 'string', required: true },
    } as const;
    const schema = compileOptions(shape);
    assert.deepEqual(schema.validate({ cmd: 'x' }).value, { cmd: 'x', model: 'a' });
    assert.ok(schema.validate({ cmd: 'x', turns: 9 }).error);
    assert.ok(schema.validate({ cmd: 'x', extra: 1 }).error);
    assert.ok(schema.validate({}).error);
    const json = optionsJsonSchema(shape) as { required: string[]; properties: Record<string, any> };
    assert.deepEqual(json.required, ['cmd']);
    assert.deepEqual(json.properties.model.enum, ['a', 'b']);
    assert.equal(json.properties.key.writeOnly, true);
    assert.deepEqual(splitOptions({ cmd: 'x', key: 'sk-123' }, secretOptionNames(shape)), {
      shown: { cmd: 'x', key: '[redacted]' },
      secrets: { key: 'sk-123' },
    });
    assert.deepEqual(splitOptions({ cmd: 'x' }, secretOptionNames(shape)), { shown: { cmd: 'x' }, secrets: {} }, 'an absent secret gets no marker');
  });
});
