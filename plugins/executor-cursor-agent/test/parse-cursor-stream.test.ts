import assert from 'node:assert/strict';
import type { ExecutorEvent } from '@forge-core/sdk';
import { eventsOfType } from '@forge-core/sdk/testing';
import { createCursorStreamParser, type CursorStreamParserOptions } from '../src/parse-cursor-stream.ts';

const WORKTREE = '/srv/forge/worktrees/p1/a1';
const SESSION = '0e6a1c2b-3f4d-4e5a-8b9c-0d1e2f3a4b5c';
const line = (message: unknown) => JSON.stringify(message);
const init = line({ type: 'system', subtype: 'init', apiKeySource: 'login', cwd: WORKTREE, session_id: SESSION, model: 'Auto', permissionMode: 'default' });
const say = (text: string, extra: Record<string, unknown> = {}) => line({ type: 'assistant', message: { role: 'assistant', content: [{ type: 'text', text }] }, session_id: SESSION, ...extra });
const think = (text: string) => line({ type: 'thinking', subtype: 'delta', text, session_id: SESSION, timestamp_ms: 1 });
const thought = line({ type: 'thinking', subtype: 'completed', session_id: SESSION, timestamp_ms: 2 });
const call = (subtype: 'started' | 'completed', callId: string, toolCall: Record<string, unknown>) => line({ type: 'tool_call', subtype, call_id: callId, tool_call: toolCall, session_id: SESSION });
const result = (fields: Record<string, unknown> = {}) => line({ type: 'result', subtype: 'success', is_error: false, duration_ms: 10, result: 'done', session_id: SESSION, request_id: 'r1', ...fields });

function parse(lines: readonly string[], options: Partial<CursorStreamParserOptions> = {}): { events: ExecutorEvent[]; parser: ReturnType<typeof createCursorStreamParser> } {
  const parser = createCursorStreamParser({ worktree: WORKTREE, partialOutput: false, ...options });
  const events = [...lines.flatMap((text) => parser.parseLine(text)), ...parser.flush()];
  return { events, parser };
}

/** A started/completed pair of one tool. */
function pair(callId: string, kind: string, args: Record<string, unknown>, outcome: Record<string, unknown>) {
  return [call('started', callId, { [kind]: { args } }), call('completed', callId, { [kind]: { args, result: outcome } })];
}

describe('cursor-agent stream parser', () => {
  it('reports the session and model from system/init, skips the echoed prompt, and reports usage from the result', () => {
    const { events, parser } = parse([init, line({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: 'the prompt' }] }, session_id: SESSION }), result({ usage: { inputTokens: 100, outputTokens: 20, cacheReadTokens: 64, cacheWriteTokens: 0 } })]);
    assert.deepEqual(events, [
      { type: 'session', sessionId: SESSION, model: 'Auto' },
      { type: 'usage', inputTokens: 100, outputTokens: 20, cacheReadTokens: 64, cacheWriteTokens: 0 },
    ]);
    assert.deepEqual(parser.report().result, { subtype: 'success', isError: false, text: 'done' });
  });

  it('takes the session from the result when no init came, and drops token counts that are not counts', () => {
    const { events } = parse([result({ usage: { inputTokens: 1.5, outputTokens: -1, cacheReadTokens: 3 } })]);
    assert.deepEqual(events, [{ type: 'session', sessionId: SESSION }, { type: 'usage', cacheReadTokens: 3 }]);
  });

  it('merges thinking deltas into one thinking event', () => {
    const { events } = parse([init, think('Read the '), think('README first.'), thought, say('Reading it.')]);
    assert.deepEqual(eventsOfType(events, 'thinking'), [{ type: 'thinking', text: 'Read the README first.' }]);
    assert.deepEqual(events.slice(1).map((event) => event.type), ['thinking', 'message']);
  });

  it('shows thinking cut short by another line, and at the end', () => {
    assert.deepEqual(eventsOfType(parse([think('half a thought'), say('Answer.')]).events, 'thinking'), [{ type: 'thinking', text: 'half a thought' }]);
    assert.deepEqual(eventsOfType(parse([think('the last thought')]).events, 'thinking'), [{ type: 'thinking', text: 'the last thought' }]);
  });

  it('without partial output, makes each assistant line one message and the last one the summary', () => {
    const { events, parser } = parse([init, say('First.'), say('Second.')]);
    assert.deepEqual(eventsOfType(events, 'message').map(({ text }) => text), ['First.', 'Second.']);
    assert.equal(parser.report().lastAssistantText, 'Second.');
  });

  it('with partial output, merges the deltas into one message and drops the repeat, wherever it comes', () => {
    const deltas = (text: string, at: number) => [say(text.slice(0, 4), { timestamp_ms: at }), say(text.slice(4), { timestamp_ms: at + 1 })];
    const write = pair('c1', 'writeToolCall', { path: `${WORKTREE}/a.txt`, fileText: 'a' }, { success: { path: `${WORKTREE}/a.txt`, linesCreated: 1, fileSize: 1 } });
    const { events } = parse(
      [
        init,
        ...deltas('Let me write it.', 10),
        say('Let me write it.', { timestamp_ms: 12, model_call_id: 'm1' }),
        ...write,
        ...deltas('Written and done.', 20),
        // The repeat after another line: the deltas were shown when that line came.
        call('started', 'c2', { readToolCall: { args: { path: `${WORKTREE}/a.txt` } } }),
        say('Written and done.'),
        ...deltas('A last word.', 30),
      ],
      { partialOutput: true },
    );
    assert.deepEqual(eventsOfType(events, 'message').map(({ text }) => text), ['Let me write it.', 'Written and done.', 'A last word.']);
  });

  it('with partial output, lets the complete message win over its deltas', () => {
    const { events } = parse([say('READ', { timestamp_ms: 1 }), say('READY')], { partialOutput: true });
    assert.deepEqual(eventsOfType(events, 'message').map(({ text }) => text), ['READY']);
  });

  it('maps each kind of tool to its action and summary, with paths relative to the worktree', () => {
    const todos = [
      { id: '1', content: 'a', status: 'completed' },
      { id: '2', content: 'b', status: 'pending' },
    ];
    const { events } = parse([
      init,
      ...pair('r', 'readToolCall', { path: `${WORKTREE}/src/a.ts` }, { success: { content: 'export {}\n' } }),
      ...pair('s', 'shellToolCall', { command: 'npm test', workingDirectory: '' }, { success: { exitCode: 0, stdout: 'ok\n', stderr: '' } }),
      ...pair('g', 'grepToolCall', { pattern: 'TODO', path: `${WORKTREE}/src` }, { success: {} }),
      ...pair('gl', 'globToolCall', { globPattern: '**/*.ts', targetDirectory: WORKTREE }, { success: { files: ['src/a.ts'] } }),
      ...pair('l', 'lsToolCall', { path: `${WORKTREE}/src` }, { success: {} }),
      ...pair('ss', 'semSearchToolCall', { query: 'where are requests handled' }, { success: {} }),
      ...pair('t', 'updateTodosToolCall', { todos, merge: true }, { success: {} }),
      ...pair('m', 'mcpToolCall', { providerIdentifier: 'docs', toolName: 'lookup', args: { q: 'x' } }, { success: { content: [{ text: { text: 'found' } }], isError: false } }),
      call('started', 'nameless', { function: { arguments: '{}' } }),
      line({ type: 'tool_call', subtype: 'started', tool_call: { readToolCall: { args: {} } } }),
      call('started', 'fn', { function: { name: 'custom_search', arguments: '{"query":"cursor"}' } }),
      ...pair('o', 'someNewToolCall', { anything: 1 }, { success: {} }),
    ]);
    const calls = eventsOfType(events, 'tool_call').map(({ callId, tool, action, summary }) => [callId, tool, action, summary]);
    assert.deepEqual(calls, [
      ['r', 'read', 'file_read', 'src/a.ts'],
      ['s', 'shell', 'command', 'npm test'],
      ['g', 'grep', 'search', 'TODO in src'],
      ['gl', 'glob', 'search', '**/*.ts'],
      ['l', 'ls', 'search', 'src'],
      ['ss', 'semSearch', 'search', 'where are requests handled'],
      ['t', 'updateTodos', 'todo', '2 todos, 1 completed'],
      ['m', 'docs/lookup', 'other', 'docs/lookup'],
      ['fn', 'custom_search', 'other', undefined],
      ['o', 'someNew', 'other', undefined],
    ]);
    assert.deepEqual(eventsOfType(events, 'tool_call').find(({ callId }) => callId === 'fn')?.input, { query: 'cursor' });
    const outputs = Object.fromEntries(eventsOfType(events, 'tool_result').map(({ callId, isError, output }) => [callId, [isError, output]]));
    assert.deepEqual(outputs['r'], [false, 'export {}\n']);
    assert.deepEqual(outputs['s'], [false, 'ok\n']);
    assert.deepEqual(outputs['m'], [false, 'found']);
    // A line naming no tool is logged, not guessed at.
    assert.equal(eventsOfType(events, 'log').filter(({ text }) => text.includes('without a usable call_id or tool')).length, 2);
  });

  it('reports file changes of successful writes, edits and deletes, a write to a file the run already touched as modified', () => {
    const write = (callId: string, file: string) => pair(callId, 'writeToolCall', { path: `${WORKTREE}/${file}`, fileText: 'x' }, { success: { path: `${WORKTREE}/${file}`, linesCreated: 1, fileSize: 1 } });
    const { events } = parse([
      init,
      ...write('w1', 'new.md'),
      ...pair('e', 'editToolCall', { path: 'src/a.ts' }, { success: { path: `${WORKTREE}/src/a.ts`, linesAdded: 1, linesRemoved: 0, diffString: '+x' } }),
      ...write('w2', 'src/a.ts'),
      ...write('w3', 'new.md'),
      ...pair('d', 'deleteToolCall', { path: `${WORKTREE}/new.md` }, { success: {} }),
      ...write('w4', 'new.md'),
      ...pair('out', 'writeToolCall', { path: '/etc/elsewhere.conf', fileText: 'x' }, { success: {} }),
    ]);
    assert.deepEqual(
      eventsOfType(events, 'file_change').map(({ path, change }) => [path, change]),
      [
        ['new.md', 'added'],
        ['src/a.ts', 'modified'],
        ['src/a.ts', 'modified'],
        ['new.md', 'modified'],
        ['new.md', 'deleted'],
        ['new.md', 'added'],
        ['/etc/elsewhere.conf', 'added'],
      ],
    );
    assert.equal(eventsOfType(events, 'tool_result').find(({ callId }) => callId === 'e')?.output, '+x');
  });

  it('makes refused, failed and non-zero calls errors, and changes no file for them', () => {
    const { events } = parse([
      init,
      ...pair('rej', 'writeToolCall', { path: `${WORKTREE}/a.txt` }, { rejected: { path: `${WORKTREE}/a.txt`, reason: '' } }),
      ...pair('rej2', 'shellToolCall', { command: 'rm -rf /' }, { rejected: { command: 'rm -rf /', reason: 'Denied by your permissions' } }),
      ...pair('fail', 'editToolCall', { path: `${WORKTREE}/b.txt` }, { error: { error: 'old_string not found' } }),
      ...pair('exit', 'shellToolCall', { command: 'npm test' }, { success: { exitCode: 1, stdout: '1 failing', stderr: 'AssertionError' } }),
    ]);
    assert.deepEqual(
      eventsOfType(events, 'tool_result').map(({ callId, isError, output }) => [callId, isError, output]),
      [
        ['rej', true, 'Rejected: print mode allows no edits or commands without --force'],
        ['rej2', true, 'Rejected: Denied by your permissions'],
        ['fail', true, 'old_string not found'],
        ['exit', true, '1 failing\nAssertionError\nexit code 1'],
      ],
    );
    assert.deepEqual(eventsOfType(events, 'file_change'), []);
  });

  it('takes the arguments of a completed line that leaves them out from its started line, and shows a call seen only completed', () => {
    const { events } = parse([
      init,
      call('started', 's', { shellToolCall: { args: { command: 'ls' } } }),
      call('completed', 's', { shellToolCall: { result: { success: { exitCode: 0, stdout: 'a\n' } } } }),
      call('completed', 'late', { writeToolCall: { args: { path: `${WORKTREE}/late.md` }, result: { success: {} } } }),
    ]);
    assert.deepEqual(events.slice(1).map((event) => event.type), ['tool_call', 'tool_result', 'tool_call', 'tool_result', 'file_change']);
    assert.deepEqual(eventsOfType(events, 'file_change'), [{ type: 'file_change', path: 'late.md', change: 'added' }]);
  });

  it('caps a tool input that is too large for an event, keeping its path', () => {
    const { events } = parse([call('started', 'big', { writeToolCall: { args: { path: `${WORKTREE}/big.txt`, fileText: 'x'.repeat(300_000) } } })]);
    const input = eventsOfType(events, 'tool_call')[0]?.input as Record<string, string>;
    assert.equal(input['path'], `${WORKTREE}/big.txt`);
    assert.ok((input['fileText'] ?? '').length <= 20_000 && /more characters\]$/.test(input['fileText'] ?? ''));
  });

  it('logs what it cannot use and never throws', () => {
    const { events } = parse(['not json at all', 'null', '[1,2]', line({ type: 'mystery' }), line({ type: 'system', subtype: 'init' }), line({ type: 'assistant' }), '   ']);
    assert.deepEqual(
      events.map((event) => (event.type === 'log' ? `${event.level}: ${event.text}` : event.type)),
      [
        'warn: cursor-agent printed a line that is not JSON: not json at all',
        'warn: cursor-agent printed JSON that is not an object: null',
        'warn: cursor-agent printed JSON that is not an object: [1,2]',
        'warn: unknown cursor-agent line type "mystery": {"type":"mystery"}',
        'warn: cursor-agent system/init without a session_id: {"type":"system","subtype":"init"}',
        'warn: cursor-agent assistant line without message content: {"type":"assistant"}',
      ],
    );
  });
});
