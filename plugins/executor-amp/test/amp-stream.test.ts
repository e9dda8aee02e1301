import assert from 'node:assert/strict';
import { createClaudeStreamParser, runClaudeSession, type ClaudeStreamParserOptions } from '@forge-core/executor-claude-code/stream';
import type { DoneEvent, ExecutorEvent, ManagedProcess, OutputLine, ProcessExit } from '@forge-core/sdk';
import { collectEvents, createFakeRunContext, eventsOfType, finalDone } from '@forge-core/sdk/testing';
import { describeAmpToolCall } from '../src/amp-tools.ts';

// Amp's dialect of Claude's stream-json, read by the claude-code pack's parser and session runner
// with the options this pack gives them (run-amp.ts).
const AMP: ClaudeStreamParserOptions = { agent: 'amp', describeToolCall: describeAmpToolCall, usageFrom: 'assistant', cwd: '/home/dev/shop' };
const T = 'T-0f3b1c2e-5d6a-4b7c-8e9f-a1b2c3d4e5f6';
const EXITED: ProcessExit = { code: 0, signal: null };
const line = (message: unknown) => JSON.stringify(message);
const usage = (input: number, output: number) => ({ input_tokens: input, cache_creation_input_tokens: 5, cache_read_input_tokens: 7, output_tokens: output, max_tokens: 968000, service_tier: 'standard' });
const assistant = (id: string, content: unknown[], tokens = usage(10, 2)) => line({ type: 'assistant', message: { type: 'message', role: 'assistant', id, content, stop_reason: 'tool_use', usage: tokens }, parent_tool_use_id: null, session_id: T });
const toolResult = (id: string, content: string, isError = false) => line({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content, is_error: isError }] }, parent_tool_use_id: null, session_id: T });
const success = line({ type: 'result', subtype: 'success', duration_ms: 10, is_error: false, num_turns: 1, result: 'Done.', session_id: T, usage: usage(999, 999) });

function parse(lines: readonly string[], exit = EXITED): ExecutorEvent[] {
  const parser = createClaudeStreamParser(AMP);
  return [...lines.flatMap((text) => parser.parseLine(text).events), parser.finish(exit, false)];
}

describe("Amp's stream-json through the shared Claude parser", () => {
  it('reports a file amp created or edited once its tool call succeeded, and none for a refused one', () => {
    const events = parse([
      assistant('msg_1', [{ type: 'tool_use', id: 'toolu_1', name: 'create_file', input: { path: '/home/dev/shop/NOTES.md', content: 'x' } }]),
      toolResult('toolu_1', 'Created NOTES.md'),
      assistant('msg_2', [{ type: 'tool_use', id: 'toolu_2', name: 'edit_file', input: { path: '/home/dev/shop/src/a.ts', old_str: 'a', new_str: 'b' } }]),
      toolResult('toolu_2', 'Tool call rejected', true),
      success,
    ]);
    assert.deepEqual(eventsOfType(events, 'file_change'), [{ type: 'file_change', path: 'NOTES.md', change: 'modified' }]);
    assert.deepEqual(
      eventsOfType(events, 'tool_call').map(({ tool, action, summary }) => [tool, action, summary]),
      [
        ['create_file', 'file_edit', 'NOTES.md'],
        ['edit_file', 'file_edit', 'src/a.ts'],
      ],
    );
  });

  it("reports each assistant message's usage once, even split over lines, and none from the result", () => {
    const text = { type: 'text', text: 'Looking.' };
    const call = { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: '/home/dev/shop/README.md' } };
    const events = parse([assistant('msg_1', [text], usage(100, 3)), assistant('msg_1', [call], usage(100, 3)), assistant('msg_2', [text], usage(40, 8)), success]);
    assert.deepEqual(eventsOfType(events, 'usage'), [
      { type: 'usage', inputTokens: 100, outputTokens: 3, cacheReadTokens: 7, cacheWriteTokens: 5 },
      { type: 'usage', inputTokens: 40, outputTokens: 8, cacheReadTokens: 7, cacheWriteTokens: 5 },
    ]);
  });

  it("quotes the error of amp's error result, and types a 429 with its retry-after", () => {
    const done = finalDone(parse([line({ type: 'result', subtype: 'error_during_execution', is_error: true, error: 'Too many requests (429). Retry after 12 seconds.', session_id: T })], { code: 1, signal: null }));
    assert.deepEqual(done, {
      type: 'done',
      status: 'failed',
      error: 'amp failed during execution (error_during_execution): Too many requests (429). Retry after 12 seconds.',
      exitCode: 1,
      failure: { kind: 'rate_limit', retryAfterMs: 12000 },
    });
  });

  it('names amp, not claude, in what it logs and in the error of a run that ended early', () => {
    const parser = createClaudeStreamParser(AMP);
    assert.deepEqual(parser.parseLine('Checking for updates...').events, [{ type: 'log', level: 'warn', stream: 'stdout', text: 'amp printed a line that is not JSON: Checking for updates...' }]);
    assert.equal(parser.finish({ code: 1, signal: null }, false, ["Error: Couldn't connect to the Amp server at http://127.0.0.1:9."]).error, "amp exited with code 1 before reporting a result: Error: Couldn't connect to the Amp server at http://127.0.0.1:9.");
  });
});

/** A CLI that prints its lines and then neither prints nor exits again, as amp at its login prompt. */
class StuckProcess implements ManagedProcess {
  readonly pid = undefined;
  readonly exited = new Promise<ProcessExit>(() => undefined);
  constructor(private readonly output: readonly OutputLine[]) {}
  async *lines(): AsyncIterable<OutputLine> {
    yield* this.output;
    await new Promise(() => undefined);
  }
  writeLine(): boolean {
    return false;
  }
  closeStdin(): void {}
}

describe('runClaudeSession with a line that ends the run (endsRun)', () => {
  const ENDED: DoneEvent = { type: 'done', status: 'failed', error: 'logged out', failure: { kind: 'auth' } };
  const endsAtLogin = (output: OutputLine) => (output.text.startsWith('No API key found') ? ENDED : undefined);

  it('yields the done that line stands for at once, without waiting for a process that never exits', async () => {
    const stuck = new StuckProcess([
      { stream: 'stdout', text: 'No API key found. Starting login flow...' },
      { stream: 'stdout', text: 'When prompted, paste your code here: ' },
    ]);
    const ctx = createFakeRunContext({ startProcess: () => stuck });
    const events = await collectEvents(runClaudeSession({ command: 'amp', args: ['--execute', '--stream-json'], spawnOptions: { stdin: 'hi' } }, ctx, { endsRun: endsAtLogin }));
    assert.deepEqual(events, [ENDED]);
  });

  it('reads every other line as before', async () => {
    const ctx = createFakeRunContext({ recording: { stdout: [line({ type: 'system', subtype: 'init', session_id: T, cwd: '/w' }), success] } });
    const events = await collectEvents(runClaudeSession({ command: 'amp', args: [], spawnOptions: { stdin: 'hi' } }, ctx, { endsRun: endsAtLogin, parser: { agent: 'amp', usageFrom: 'assistant' } }));
    assert.deepEqual(events, [{ type: 'session', sessionId: T }, { type: 'done', status: 'succeeded', summary: 'Done.', exitCode: 0 }]);
  });
});
