import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExecutorEvent, ProcessExit, ToolCallEvent } from '@forge-core/sdk';
import { createClaudeStreamParser, MAX_LOG_TEXT_LENGTH, type ClaudeStreamParserOptions } from '../src/parse-claude-stream.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const CWD = '/srv/forge/worktrees/task-42';
const EXITED_CLEANLY: ProcessExit = { code: 0, signal: null };

interface Expectation {
  exit: ProcessExit;
  aborted: boolean;
  events: ExecutorEvent[];
}

function parseAll(lines: readonly string[], exit: ProcessExit, aborted = false, options?: ClaudeStreamParserOptions): ExecutorEvent[] {
  const parser = createClaudeStreamParser(options);
  return [...lines.flatMap((line) => parser.parseLine(line).events), parser.finish(exit, aborted)];
}

const line = (message: unknown) => JSON.stringify(message);
const init = (sessionId = 'b7e3c0de-0000-4000-8000-000000000001') => line({ type: 'system', subtype: 'init', cwd: CWD, session_id: sessionId, model: 'claude-sonnet-4-5-20250929', tools: ['Bash'], mcp_servers: [], apiKeySource: 'none', permissionMode: 'default' });
const assistant = (...content: unknown[]) => line({ type: 'assistant', message: { id: 'msg_01A', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content, stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } }, parent_tool_use_id: null, session_id: 's', uuid: 'u' });
const toolResult = (toolUseId: string, content: unknown, isError = false) => line({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUseId, content, is_error: isError }] }, parent_tool_use_id: null, session_id: 's', uuid: 'u' });
const result = (fields: Record<string, unknown>) => line({ type: 'result', subtype: 'success', is_error: false, duration_ms: 10, duration_api_ms: 8, num_turns: 1, result: 'All done.', session_id: 's', total_cost_usd: 0.01, usage: { input_tokens: 3, output_tokens: 4, cache_creation_input_tokens: 5, cache_read_input_tokens: 6 }, permission_denials: [], ...fields });

describe('createClaudeStreamParser', () => {
  describe('recorded Claude Code transcripts', () => {
    const transcripts = readdirSync(FIXTURES).filter((name) => name.endsWith('.jsonl')).sort();

    it('has the transcripts this suite is driven by', () => {
      assert.deepEqual(transcripts, ['crash-before-result.jsonl', 'edit-and-test.jsonl', 'max-turns-with-tool-errors.jsonl', 'partial-messages-api-error.jsonl']);
    });

    for (const transcript of transcripts) {
      it(`turns ${transcript} into exactly the expected events`, () => {
        const lines = readFileSync(FIXTURES + transcript, 'utf8').split('\n');
        const expected = JSON.parse(readFileSync(FIXTURES + transcript.replace(/\.jsonl$/, '.expected.json'), 'utf8')) as Expectation;
        assert.deepEqual(parseAll(lines, expected.exit, expected.aborted), expected.events);
      });
    }
  });

  describe('tool calls', () => {
    const cases: [tool: string, input: Record<string, unknown>, action: ToolCallEvent['action'], summary: string | undefined][] = [
      ['Read', { file_path: `${CWD}/src/a.ts` }, 'file_read', 'src/a.ts'],
      ['Write', { file_path: `${CWD}/b.md`, content: 'x' }, 'file_edit', 'b.md'],
      ['Edit', { file_path: `${CWD}/c.ts`, old_string: 'a', new_string: 'b' }, 'file_edit', 'c.ts'],
      ['MultiEdit', { file_path: `${CWD}/d.ts`, edits: [] }, 'file_edit', 'd.ts'],
      ['NotebookEdit', { notebook_path: `${CWD}/e.ipynb`, new_source: '' }, 'file_edit', 'e.ipynb'],
      ['Bash', { command: 'npm test\n  && npm run lint', description: 'Test' }, 'command', 'npm test'],
      ['Grep', { pattern: 'TODO' }, 'search', 'TODO'],
      ['Glob', { pattern: '*.ts', path: `${CWD}/src` }, 'search', '*.ts in src'],
      ['WebFetch', { url: 'https://example.com', prompt: 'Summarize' }, 'web_fetch', 'https://example.com'],
      ['WebSearch', { query: 'node streams' }, 'web_fetch', 'node streams'],
      ['ExitPlanMode', { plan: 'Step one\nStep two' }, 'plan', 'Step one'],
      ['TodoWrite', { todos: [{ content: 'a', status: 'pending', activeForm: 'A' }] }, 'todo', '1 todos, 0 completed'],
      ['Task', { description: 'Explore', prompt: 'Look around' }, 'other', 'Explore'],
      ['mcp__github__get_issue', { number: 1 }, 'other', undefined],
      ['BashOutput', { bash_id: 'b1' }, 'other', undefined],
      ['Read', {}, 'file_read', undefined],
    ];
    for (const [tool, input, action, summary] of cases) {
      it(`maps ${tool} ${JSON.stringify(input)} to ${action}`, () => {
        const [call] = createClaudeStreamParser({ cwd: CWD }).parseLine(assistant({ type: 'tool_use', id: 'toolu_1', name: tool, input })).events;
        const expected: ToolCallEvent = { type: 'tool_call', callId: 'toolu_1', tool, action, input };
        assert.deepEqual(call, summary === undefined ? expected : { ...expected, summary });
      });
    }

    it('caps a long summary to one short line', () => {
      const [call] = createClaudeStreamParser().parseLine(assistant({ type: 'tool_use', id: 't', name: 'Bash', input: { command: `echo ${'x'.repeat(500)}` } })).events;
      assert.equal(call?.type, 'tool_call');
      assert.equal(call.type === 'tool_call' && call.summary?.length, 200);
    });

    it('cuts the long texts of a tool input too large for an event, keeping the rest', () => {
      const content = 'x'.repeat(2_000_000);
      const [call] = createClaudeStreamParser({ cwd: CWD }).parseLine(assistant({ type: 'tool_use', id: 't', name: 'Write', input: { file_path: `${CWD}/big.txt`, content } })).events;
      assert.ok(call?.type === 'tool_call');
      const input = call.input as Record<string, string>;
      assert.equal(input['file_path'], `${CWD}/big.txt`);
      assert.ok(input['content']?.startsWith('xxx') && input['content'].endsWith('more characters]'));
      assert.ok(JSON.stringify(input).length <= 100_000);
    });

    it('passes a tool input that is large in other ways than its texts as its JSON text, cut', () => {
      const input = { edits: Array.from({ length: 50_000 }, (_, index) => ({ line: index })) };
      const [call] = createClaudeStreamParser().parseLine(assistant({ type: 'tool_use', id: 't', name: 'MultiEdit', input })).events;
      assert.ok(call?.type === 'tool_call');
      const text = (call.input as Record<string, string>)['truncatedInput'];
      assert.ok(text?.startsWith('{"edits":[{"line":0}') && text.length === 100_000);
    });

    it('reports a file outside the worktree by its absolute path', () => {
      const events = parseAll([init(), assistant({ type: 'tool_use', id: 't', name: 'Write', input: { file_path: '/etc/hosts', content: '' } }), toolResult('t', 'File created successfully at: /etc/hosts')], EXITED_CLEANLY);
      assert.deepEqual(events.filter((event) => event.type === 'file_change'), [{ type: 'file_change', path: '/etc/hosts', change: 'modified' }]);
    });

    it('makes paths relative to the host worktree and to the cwd Claude reports, which may be its real path', () => {
      const parser = createClaudeStreamParser({ cwd: '/var/forge/task' });
      parser.parseLine(line({ type: 'system', subtype: 'init', cwd: '/private/var/forge/task', session_id: 's' })).events;
      const [viaHost] = parser.parseLine(assistant({ type: 'tool_use', id: 'a', name: 'Read', input: { file_path: '/var/forge/task/a.ts' } })).events;
      const [viaClaude] = parser.parseLine(assistant({ type: 'tool_use', id: 'b', name: 'Read', input: { file_path: '/private/var/forge/task/b.ts' } })).events;
      assert.equal(viaHost?.type === 'tool_call' && viaHost.summary, 'a.ts');
      assert.equal(viaClaude?.type === 'tool_call' && viaClaude.summary, 'b.ts');
    });

    it('names non-text blocks of a tool result instead of dumping them', () => {
      const [event] = createClaudeStreamParser().parseLine(toolResult('t', [{ type: 'text', text: 'Screenshot taken' }, { type: 'image', source: { type: 'base64', data: 'AAAA' } }])).events;
      assert.deepEqual(event, { type: 'tool_result', callId: 't', isError: false, output: 'Screenshot taken\n[image block]' });
    });
  });

  describe('lines that are not what Claude should print', () => {
    const strayLines = [
      'not json at all',
      '{"type":"assistant","message":{"id":"msg_01trunc',
      'null',
      '42',
      '"a string"',
      '[{"type":"result"}]',
      '{}',
      '{"type":"telemetry","event":"ping"}',
      '{"type":"__proto__"}',
      '{"type":"assistant"}',
      '{"type":"assistant","message":{"content":"not blocks"}}',
      '{"type":"assistant","message":{"content":[null,5,{"type":"tool_use"},{"type":"video"}]}}',
      '{"type":"user","message":{"content":[{"type":"tool_result"},{"type":"tool_result","tool_use_id":"x","content":{"odd":true}}]}}',
      '{"type":"system","subtype":"init"}',
      '{"type":"result","usage":"none","total_cost_usd":"free","errors":[1,null]}',
      '{"type":"control_request"}',
      '{"type":"control_request","request_id":7,"request":"can_use_tool"}',
      '{"type":"control_request","request_id":"r","request":{"subtype":"can_use_tool","input":[1]}}',
      '{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":"soon"}}',
      '{"type":"system","subtype":"api_retry","attempt":"two"}',
      '\u0000\u0001\u0002',
      '#'.repeat(200 * 1024),
    ];

    it('never throws, whatever the line holds, and never needs its last-resort catch', () => {
      const parser = createClaudeStreamParser({ cwd: CWD });
      for (const stray of strayLines) {
        let events: ExecutorEvent[] = [];
        assert.doesNotThrow(() => (events = parser.parseLine(stray).events), `line ${stray.slice(0, 60)}`);
        assert.deepEqual(events.filter((event) => event.type === 'log' && event.level === 'error'), [], `line ${stray.slice(0, 60)}`);
      }
      assert.doesNotThrow(() => parser.finish({ code: null, signal: null }, false));
    });

    it('reports a non-JSON or unknown line as one warn log, truncated', () => {
      const parser = createClaudeStreamParser();
      for (const stray of ['not json at all', '{"type":"telemetry"}', '[1]', '#'.repeat(200 * 1024)]) {
        const events = parser.parseLine(stray).events;
        assert.equal(events.length, 1);
        const [log] = events;
        assert.equal(log?.type, 'log');
        assert.ok(log.type === 'log' && log.level === 'warn' && log.stream === 'stdout');
        assert.ok(log.text.length <= MAX_LOG_TEXT_LENGTH + 40, `log of ${log.text.length} characters`);
      }
    });

    it('ignores blank lines', () => {
      assert.deepEqual(createClaudeStreamParser().parseLine('   ').events, []);
    });

    it('keeps parsing a valid stream after garbage', () => {
      const events = parseAll([init('s-1'), 'oops', '{"type":', assistant({ type: 'text', text: 'Done.' }), result({ result: 'Done.' })], EXITED_CLEANLY);
      assert.deepEqual(events.map((event) => event.type), ['session', 'log', 'log', 'message', 'usage', 'done']);
      assert.deepEqual(events.at(-1), { type: 'done', status: 'succeeded', summary: 'Done.', exitCode: 0 });
    });
  });

  describe('control requests', () => {
    const canUseTool = (request: Record<string, unknown>) => line({ type: 'control_request', request_id: 'req-1', request: { subtype: 'can_use_tool', ...request } });

    it('turns can_use_tool into the approval to ask for, described like the tool call, and yields nothing', () => {
      const input = { file_path: `${CWD}/src/a.ts`, content: 'x' };
      const parsed = createClaudeStreamParser({ cwd: CWD }).parseLine(canUseTool({ tool_name: 'Write', input, permission_suggestions: [], tool_use_id: 'toolu_9' }));
      assert.deepEqual(parsed, { events: [], controlRequest: { requestId: 'req-1', subtype: 'can_use_tool', approval: { tool: 'Write', input, callId: 'toolu_9', summary: 'src/a.ts' } }, isResult: false });
    });

    it('asks with an empty input when Claude gives none, and without a call id when it names none', () => {
      const { controlRequest } = createClaudeStreamParser().parseLine(canUseTool({ tool_name: 'mcp__forge__status' }));
      assert.deepEqual(controlRequest, { requestId: 'req-1', subtype: 'can_use_tool', approval: { tool: 'mcp__forge__status', input: {} } });
    });

    it('hands on other requests, and can_use_tool without a tool, to be refused', () => {
      const parser = createClaudeStreamParser();
      assert.deepEqual(parser.parseLine(line({ type: 'control_request', request_id: 'r2', request: { subtype: 'hook_callback' } })).controlRequest, { requestId: 'r2', subtype: 'hook_callback' });
      assert.deepEqual(parser.parseLine(canUseTool({ input: {} })).controlRequest, { requestId: 'req-1', subtype: 'can_use_tool' });
      assert.deepEqual(parser.parseLine(line({ type: 'control_request', request_id: 'r3' })).controlRequest, { requestId: 'r3', subtype: 'unknown' });
    });

    it('logs a request with no id to answer to, and the answers and withdrawals Claude sends', () => {
      const parser = createClaudeStreamParser();
      const levels = ['{"type":"control_request","request":{"subtype":"can_use_tool"}}', line({ type: 'control_response', response: { subtype: 'success', request_id: 'forge-interrupt-1' } }), line({ type: 'control_cancel_request', request_id: 'req-1' })].map((text) => {
        const { events, controlRequest } = parser.parseLine(text);
        assert.equal(controlRequest, undefined);
        return events.map((event) => event.type === 'log' && event.level);
      });
      assert.deepEqual(levels, [['warn'], ['debug'], ['debug']]);
    });

    it('marks the result line, and only it, as the end of the turn', () => {
      const parser = createClaudeStreamParser();
      assert.deepEqual([init(), assistant({ type: 'text', text: 'Hi' }), result({}), 'not json'].map((text) => parser.parseLine(text).isResult), [false, false, true, false]);
    });

    it('reads a line whatever the order of its keys, as Claude 2.1.332 prints its result', () => {
      const reordered = '{"usage":{"input_tokens":3,"output_tokens":4},"total_cost_usd":0.5,"is_error":false,"subtype":"success","result":"Done.","type":"result"}';
      const events = parseAll([reordered], EXITED_CLEANLY);
      assert.deepEqual(events, [{ type: 'usage', inputTokens: 3, outputTokens: 4, costUsd: 0.5 }, { type: 'done', status: 'succeeded', summary: 'Done.', exitCode: 0 }]);
    });
  });

  describe('finish', () => {
    it('reports cancelled when the run was aborted, whatever claude said', () => {
      const events = parseAll([init(), assistant({ type: 'text', text: 'Working on it' }), result({})], EXITED_CLEANLY, true);
      assert.deepEqual(events.at(-1), { type: 'done', status: 'cancelled', summary: 'Working on it', exitCode: 0 });
    });

    it('uses the last assistant text as the summary when the result carries none', () => {
      const events = parseAll([assistant({ type: 'text', text: 'First' }), assistant({ type: 'text', text: 'Second' }), result({ result: '' })], EXITED_CLEANLY);
      assert.deepEqual(events.at(-1), { type: 'done', status: 'succeeded', summary: 'Second', exitCode: 0 });
    });

    it('fails a success result followed by a non-zero exit', () => {
      const done = parseAll([result({})], { code: 1, signal: null }).at(-1);
      assert.deepEqual(done, { type: 'done', status: 'failed', error: 'claude reported success but exited with code 1', exitCode: 1 });
    });

    it('fails an error subtype even when is_error is false', () => {
      const done = parseAll([result({ subtype: 'error_max_turns', is_error: false, result: undefined })], EXITED_CLEANLY).at(-1);
      assert.deepEqual(done, { type: 'done', status: 'failed', error: 'claude stopped after reaching its maximum number of turns (error_max_turns)', exitCode: 0 });
    });

    it('includes the errors claude lists', () => {
      const done = parseAll([result({ subtype: 'error_during_execution', is_error: true, result: undefined, errors: ['No conversation found with session ID: abc'] })], { code: 1, signal: null }).at(-1);
      assert.deepEqual(done, { type: 'done', status: 'failed', error: 'claude failed during execution (error_during_execution): No conversation found with session ID: abc', exitCode: 1 });
    });

    it('names an error subtype it does not know', () => {
      const done = parseAll([result({ subtype: 'error_max_budget_usd', is_error: true, result: undefined })], { code: 1, signal: null }).at(-1);
      assert.equal(done?.type === 'done' && done.error, 'claude ended with an error (error_max_budget_usd)');
    });

    it('explains an exit without a result', () => {
      assert.equal(createClaudeStreamParser().finish({ code: 2, signal: null }, false).error, 'claude exited with code 2 before reporting a result');
      assert.equal(createClaudeStreamParser().finish({ code: null, signal: 'SIGKILL' }, false).error, 'claude was killed by SIGKILL before reporting a result');
      assert.equal(createClaudeStreamParser().finish(EXITED_CLEANLY, false).error, 'claude exited without reporting a result');
    });

    it("quotes claude's last stderr lines when it exits without a result, cut to 2,000 characters", () => {
      assert.equal(createClaudeStreamParser().finish({ code: 1, signal: null }, false, ["error: unknown option '--bogus-flag'"]).error, "claude exited with code 1 before reporting a result: error: unknown option '--bogus-flag'");
      assert.equal(createClaudeStreamParser().finish(EXITED_CLEANLY, false, ['first', 'second']).error, 'claude exited without reporting a result: first / second');
      const long = createClaudeStreamParser().finish({ code: 1, signal: null }, false, ['y'.repeat(5000)]).error ?? '';
      assert.equal(long.length, 'claude exited with code 1 before reporting a result: '.length + 2000);
    });

    it('reports the usage of the result line, leaving out what claude did not report', () => {
      const events = parseAll([result({ usage: { input_tokens: 7, output_tokens: 9 }, total_cost_usd: undefined })], EXITED_CLEANLY);
      assert.deepEqual(events[0], { type: 'usage', inputTokens: 7, outputTokens: 9 });
    });
  });
});
