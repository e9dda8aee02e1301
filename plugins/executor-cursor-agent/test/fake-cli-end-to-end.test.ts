import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutorEvent, McpServer } from '@forge-core/sdk';
import { collectEvents, createHostRunContext, eventsOfType, finalDone, makeTempDir, type HostRunContext, type HostRunContextOptions, type TempDir } from '@forge-core/sdk/testing';
import { DEFAULT_TURN_TIMEOUT_MS, type CursorAgentOptions } from '../src/cursor-options.ts';
import { cursorAgent } from '../src/index.ts';

// The executor against test/fake-cli/cursor-agent, a real child printing Cursor's stream-json,
// run through the host's own process layer.
const FAKE_CURSOR = fileURLToPath(new URL('./fake-cli/cursor-agent', import.meta.url));

const OPTIONS: CursorAgentOptions = { model: undefined, force: true, extraArgs: [], apiKey: undefined, turnTimeoutMs: DEFAULT_TURN_TIMEOUT_MS };
const MCP_SERVERS: McpServer[] = [{ name: 'forge', transport: 'stdio', command: '/usr/local/bin/forge-mcp', args: ['--stdio'], env: { FORGE_TOKEN: 't0ken' } }];
const USER_MCP = '{"mcpServers":{"mine":{"command":"my-own-server"}}}\n';

/** What the fake CLI appends to FAKE_AGENT_RECORD for each invocation. */
interface Invocation {
  argv: string[];
  cwd: string;
  mcp: unknown;
  resumed: string | null;
  stdin: string[];
}

describe('cursor-agent with the fake cursor-agent CLI, end to end', () => {
  let root: TempDir;
  let worktree: string;
  let home: string;
  let recordFile: string;
  let contexts: HostRunContext[];

  beforeEach(async () => {
    root = await makeTempDir('cursor-agent-e2e');
    worktree = path.join(root.path, 'worktree');
    home = path.join(root.path, 'home');
    mkdirSync(worktree);
    mkdirSync(path.join(root.path, 'scratch'), { mode: 0o700 });
    mkdirSync(path.join(home, '.cursor'), { recursive: true });
    writeFileSync(path.join(home, '.cursor', 'mcp.json'), USER_MCP);
    recordFile = path.join(root.path, 'record.jsonl');
    contexts = [];
  });

  afterEach(async () => {
    await Promise.all(contexts.map((ctx) => ctx.stopProcesses()));
    await root.cleanup();
  });

  function context(scenario = 'success', options: Partial<HostRunContextOptions> = {}): HostRunContext {
    const ctx = createHostRunContext({
      worktreePath: worktree,
      scratchDir: path.join(root.path, 'scratch'),
      config: { command: FAKE_CURSOR, passEnv: [] },
      ...options,
      env: { HOME: home, FAKE_AGENT_SCENARIO: scenario, FAKE_AGENT_RECORD: recordFile, ...options.env },
    });
    contexts.push(ctx);
    return ctx;
  }

  function run(ctx: HostRunContext, options: Partial<CursorAgentOptions> = {}, onEvent?: (event: ExecutorEvent) => void) {
    return collectEvents(cursorAgent.run({ attemptId: 'att_cursor', prompt: 'Leave a note.\nKeep it short.', options: { ...OPTIONS, ...options } }, ctx), onEvent);
  }

  const invocations = (): Invocation[] => readFileSync(recordFile, 'utf8').trimEnd().split('\n').map((text) => JSON.parse(text) as Invocation);
  const editedFile = () => path.join(worktree, 'FAKE_EDIT.md');

  it('writes FAKE_EDIT.md with --force, reporting the chat, the tool call, the file, usage and the summary', async () => {
    const ctx = context('success', { mcpServers: MCP_SERVERS });
    const events = await run(ctx);

    assert.equal(readFileSync(editedFile(), 'utf8'), '# Fake edit\n\nWritten by the fake cursor-agent for: Leave a note.\nKeep it short.\n');
    const [session] = eventsOfType(events, 'session');
    assert.match(session?.sessionId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(session?.model, 'Auto');
    assert.deepEqual(eventsOfType(events, 'thinking'), [{ type: 'thinking', text: 'The user asks for FAKE_EDIT.md. I will write it.' }]);
    const [call] = eventsOfType(events, 'tool_call');
    assert.deepEqual([call?.tool, call?.action, call?.summary], ['write', 'file_edit', 'FAKE_EDIT.md']);
    assert.deepEqual(eventsOfType(events, 'tool_result').map(({ isError, output }) => [isError, output]), [[false, 'Wrote FAKE_EDIT.md (4 lines)']]);
    assert.deepEqual(eventsOfType(events, 'file_change'), [{ type: 'file_change', path: 'FAKE_EDIT.md', change: 'added' }]);
    assert.deepEqual(eventsOfType(events, 'usage'), [{ type: 'usage', inputTokens: 7175, outputTokens: 96, cacheReadTokens: 6048, cacheWriteTokens: 0 }]);
    assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', summary: 'I wrote FAKE_EDIT.md.', exitCode: 0 });
    // Print mode has no approval protocol: nothing was asked.
    assert.deepEqual(ctx.approvals, []);

    const [record] = invocations();
    assert.deepEqual(record?.argv, ['-p', '--output-format', 'stream-json', '--trust', '--force']);
    assert.equal(record?.cwd, worktree);
    assert.equal(record?.resumed, null);
    assert.deepEqual(record?.stdin, ['Leave a note.', 'Keep it short.']);
  });

  it('gives the CLI no MCP servers, says so once, and leaves the user\'s and the worktree\'s Cursor configuration alone', async () => {
    const ctx = context('success', { mcpServers: MCP_SERVERS });
    await run(ctx);
    assert.deepEqual(invocations()[0]?.mcp, JSON.parse(USER_MCP), 'cursor-agent saw only the user\'s own servers');
    assert.equal(readFileSync(path.join(home, '.cursor', 'mcp.json'), 'utf8'), USER_MCP);
    assert.equal(existsSync(path.join(worktree, '.cursor')), false);
    const warnings = ctx.logged.filter((text) => text.includes('MCP server'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /^warn: This run has 1 MCP server\(s\) \(forge\), but cursor-agent takes MCP servers only from/);

    const without = context();
    await run(without);
    assert.deepEqual(without.logged.filter((text) => text.includes('MCP server')), []);
  });

  it('without --force the write is refused: no file, an error result, and the agent says so', async () => {
    const events = await run(context(), { force: false });
    assert.equal(existsSync(editedFile()), false);
    assert.deepEqual(eventsOfType(events, 'tool_result').map(({ isError, output }) => [isError, output]), [[true, 'Rejected: print mode allows no edits or commands without --force']]);
    assert.deepEqual(eventsOfType(events, 'file_change'), []);
    assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', summary: 'I did not write FAKE_EDIT.md: writing files needs --force in print mode.', exitCode: 0 });
    assert.ok(!invocations()[0]?.argv.includes('--force'));
  });

  it('merges --stream-partial-output into one message each, with the model asked for', async () => {
    const events = await run(context(), { extraArgs: ['--stream-partial-output'], model: 'gpt-5' });
    assert.deepEqual(eventsOfType(events, 'message').map(({ text }) => text), ["I'll write FAKE_EDIT.md.", 'I wrote FAKE_EDIT.md.']);
    assert.equal(eventsOfType(events, 'session')[0]?.model, 'gpt-5');
    assert.deepEqual(invocations()[0]?.argv.slice(-3), ['--model', 'gpt-5', '--stream-partial-output']);
  });

  it('resumes the chat on a follow-up, which reports the same session id', async () => {
    const first = await run(context());
    const sessionId = eventsOfType(first, 'session')[0]?.sessionId as string;

    const followUp = await collectEvents(cursorAgent.resume!({ attemptId: 'att_cursor', prompt: 'Once more.', options: OPTIONS, sessionId }, context()));

    assert.deepEqual(eventsOfType(followUp, 'session').map((event) => event.sessionId), [sessionId]);
    assert.deepEqual(eventsOfType(followUp, 'file_change').map(({ path }) => path), ['FAKE_EDIT.md']);
    assert.equal(finalDone(followUp).status, 'succeeded');
    const [, resumed] = invocations();
    assert.equal(resumed?.resumed, sessionId);
    assert.deepEqual(resumed?.argv.slice(-2), ['--resume', sessionId]);
  });

  it('fails a logged-out run with failure auth, quoting what cursor-agent said', async () => {
    const events = await run(context('auth'));
    const done = finalDone(events);
    assert.deepEqual([done.status, done.exitCode, done.failure], ['failed', 1, { kind: 'auth' }]);
    assert.match(done.error ?? '', /^cursor-agent exited with code 1 before reporting a result: Error: Authentication required\. Please run 'agent login' first/);
    assert.deepEqual(eventsOfType(events, 'log').map(({ stream, level }) => [stream, level]), [['stderr', 'warn']]);
  });

  it('fails a rate-limited run with failure rate_limit and the wait cursor-agent named', async () => {
    const events = await run(context('rate_limit'));
    assert.equal(eventsOfType(events, 'session').length, 1);
    assert.deepEqual(finalDone(events).failure, { kind: 'rate_limit', retryAfterMs: 30_000 });
    assert.equal(existsSync(editedFile()), false);
  });

  it('logs the lines that are not JSON and carries on', async () => {
    const events = await run(context('garbage'));
    const warnings = eventsOfType(events, 'log').filter(({ text }) => /not JSON|not an object/.test(text));
    assert.equal(warnings.length, 3);
    assert.equal(finalDone(events).status, 'succeeded');
    assert.equal(existsSync(editedFile()), true);
  });

  it('fails a run that goes past turnTimeoutMs, saying so', async () => {
    const ctx = context('hang');
    const events = await run(ctx, { turnTimeoutMs: 1_000 });
    const done = finalDone(events);
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', /^cursor-agent did not finish within 1 s \(the turnTimeoutMs option\), so it was stopped\./);
    assert.equal(eventsOfType(events, 'session').length, 1);
    // The host stops what a finished run left running; here the test's context does.
    await ctx.stopProcesses();
    assert.deepEqual(await ctx.processes[0]?.exited, { code: 143, signal: null }, 'the fake exits 143 on SIGTERM');
  });

  it('ends cancelled, and nothing after, when the attempt is stopped mid-run', async () => {
    const ctx = context('hang');
    const events = await run(ctx, {}, (event) => {
      if (event.type === 'session') ctx.abort();
    });
    assert.deepEqual(events.map((event) => event.type), ['session', 'done']);
    assert.equal(finalDone(events).status, 'cancelled');
    assert.deepEqual(await ctx.processes[0]?.exited, { code: 143, signal: null }, 'the fake exits 143 on SIGTERM');
  });
});
