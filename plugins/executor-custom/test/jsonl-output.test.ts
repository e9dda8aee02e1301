import assert from 'node:assert/strict';
import type { ExecutorEvent } from '@forge-core/sdk';
import { createJsonlReader, type JsonlMapping } from '../src/jsonl-output.ts';
import type { RunEnd } from '../src/output-reader.ts';

const WORKTREE = '/work/tree';
const EXIT_0: RunEnd = { command: 'agent', exit: { code: 0, signal: null }, aborted: false, stderrTail: [] };

const NONE: JsonlMapping = {
  typeField: undefined,
  messageType: undefined,
  toolCallType: undefined,
  toolResultType: undefined,
  resultType: undefined,
  textField: undefined,
  toolNameField: undefined,
  toolInputField: undefined,
  toolCallIdField: undefined,
  toolOutputField: undefined,
  sessionIdField: undefined,
  summaryField: undefined,
  errorField: undefined,
  inputTokensField: undefined,
  outputTokensField: undefined,
  costField: undefined,
};

function read(mapping: Partial<JsonlMapping>, lines: readonly unknown[]) {
  const reader = createJsonlReader({ ...NONE, ...mapping }, WORKTREE);
  const events: ExecutorEvent[] = lines.flatMap((line) => reader.readLine(typeof line === 'string' ? line : JSON.stringify(line)));
  return { events, reader };
}

const ofType = (events: readonly ExecutorEvent[], type: ExecutorEvent['type']) => events.filter((event) => event.type === type);

describe('jsonl output', () => {
  it('without a typeField, knows a line by the fields it holds', () => {
    const { events, reader } = read(
      { textField: 'msg', toolNameField: 'call.name', toolInputField: 'call.arguments', toolCallIdField: 'call.id', toolOutputField: 'result.output', summaryField: 'final' },
      [
        { msg: 'Looking' },
        { call: { id: 7, name: 'write_file', arguments: { path: `${WORKTREE}/src/a.ts` } } },
        { call: { id: 7 }, result: { output: 'ok' } },
        { final: 'Wrote src/a.ts', msg: 'ignored: a summary makes this the result' },
      ],
    );
    assert.deepEqual(events, [
      { type: 'message', role: 'assistant', text: 'Looking' },
      { type: 'tool_call', callId: '7', tool: 'write_file', action: 'file_edit', summary: 'src/a.ts', input: { path: `${WORKTREE}/src/a.ts` } },
      { type: 'tool_result', callId: '7', isError: false, output: 'ok' },
      { type: 'file_change', path: 'src/a.ts', change: 'modified' },
    ]);
    assert.deepEqual(reader.done(EXIT_0), { type: 'done', status: 'succeeded', exitCode: 0, summary: 'Wrote src/a.ts' });
  });

  it('ties a result without an id to the last call, and reports no change for a failed edit', () => {
    const { events } = read({ typeField: 'kind', toolCallType: 'call', toolResultType: 'done', toolNameField: 'name', toolInputField: 'input', errorField: 'err' }, [
      { kind: 'call', name: 'edit', input: { file: 'x.txt' } },
      { kind: 'done', err: 'permission denied' },
    ]);
    assert.deepEqual(events, [
      { type: 'tool_call', callId: 'call-1', tool: 'edit', action: 'file_edit', summary: 'x.txt', input: { file: 'x.txt' } },
      { type: 'tool_result', callId: 'call-1', isError: true, output: 'permission denied' },
    ]);
  });

  it('reports a file edit at the call when the mapping cannot recognise results', () => {
    const { events } = read({ typeField: 'type', toolCallType: 'tool', toolNameField: 'name', toolInputField: 'args' }, [{ type: 'tool', name: 'create_file', args: '{"path": "NEW.md"}' }]);
    assert.deepEqual(ofType(events, 'file_change'), [{ type: 'file_change', path: 'NEW.md', change: 'added' }]);
  });

  it('reads the session id and usage on every line, and keeps only valid numbers', () => {
    const { events } = read({ typeField: 'type', sessionIdField: 'session.id', inputTokensField: 'usage.in', outputTokensField: 'usage.out', costField: 'cost' }, [
      { type: 'init', session: { id: 's-1' } },
      { type: 'turn', session: { id: 's-1' }, usage: { in: 10.4, out: -1 }, cost: 0.5 },
      { type: 'turn', usage: { in: 'many' }, cost: Number.MAX_VALUE },
    ]);
    assert.deepEqual(events, [
      { type: 'session', sessionId: 's-1' },
      { type: 'usage', inputTokens: 10, costUsd: 0.5 },
      { type: 'usage', costUsd: Number.MAX_VALUE },
    ]);
  });

  it('fails the run on a result that reports an error, and a later clean result clears it', () => {
    const mapping = { typeField: 'type', resultType: 'result', errorField: 'error.message', summaryField: 'summary' };
    const failed = read(mapping, [{ type: 'result', error: { message: 'No auth type is selected' } }]);
    assert.deepEqual(failed.reader.done({ ...EXIT_0, exit: { code: 1, signal: null } }), {
      type: 'done',
      status: 'failed',
      exitCode: 1,
      error: 'agent reported an error: No auth type is selected',
    });
    const recovered = read(mapping, [{ type: 'result', error: { message: 'retrying' } }, { type: 'result', summary: 'Done' }]);
    assert.deepEqual(recovered.reader.done(EXIT_0), { type: 'done', status: 'succeeded', exitCode: 0, summary: 'Done' });
    const flagged = read({ typeField: 'type', resultType: 'result', errorField: 'is_error' }, [{ type: 'result', is_error: true }]);
    assert.equal(flagged.reader.done(EXIT_0).error, 'agent reported an error: error');
  });

  it('logs what is not a JSON object as a warning and what the mapping does not cover as debug, never throwing', () => {
    const { events, reader } = read({ typeField: 'type', messageType: 'text', textField: 'content.0.text' }, [
      'plain words',
      'null',
      '"a string"',
      { type: 'text', content: [{ text: 'from a list' }] },
      { type: 'ping' },
      { type: 'text', content: 'not a list' },
      '',
    ]);
    assert.deepEqual(events, [
      { type: 'log', level: 'warn', stream: 'stdout', text: 'a line that is not JSON: plain words' },
      { type: 'log', level: 'warn', stream: 'stdout', text: 'a JSON line that is not an object: null' },
      { type: 'log', level: 'warn', stream: 'stdout', text: 'a JSON line that is not an object: "a string"' },
      { type: 'message', role: 'assistant', text: 'from a list' },
      { type: 'log', level: 'debug', stream: 'stdout', text: 'a line the mapping does not cover: {"type":"ping"}' },
      { type: 'log', level: 'debug', stream: 'stdout', text: 'a line the mapping does not cover: {"type":"text","content":"not a list"}' },
    ]);
    assert.equal(reader.done(EXIT_0).summary, 'from a list');
  });

  it('does not read fields inherited from Object.prototype', () => {
    const { events } = read({ textField: 'constructor.name' }, [{ other: 1 }]);
    assert.deepEqual(ofType(events, 'message'), []);
  });
});
