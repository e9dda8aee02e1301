import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutorEvent, McpServer } from '@forge-core/sdk';
import { runCommand } from '@forge-core/sdk/process';
import { collectEvents, createHostRunContext, eventsOfType, finalDone, makeTempDir, type HostRunContext, type HostRunContextOptions, type TempDir } from '@forge-core/sdk/testing';
import { claudeCode } from '../src/index.ts';
import type { ClaudeCodeOptions } from '../src/claude-code-options.ts';
import { withOptions } from './support/options.ts';

const FAKE_CLAUDE = fileURLToPath(new URL('./fake-cli/claude', import.meta.url));

/** What the fake CLI appends to FAKE_AGENT_RECORD for each invocation. */
interface Invocation {
  argv: string[];
  cwd: string;
  mcp: unknown;
  resumed: string | null;
  stdin: string[];
}

const MCP_SERVERS: McpServer[] = [
  { name: 'forge', transport: 'stdio', command: '/usr/local/bin/forge-mcp', args: ['--stdio'], env: { FORGE_TOKEN: 't0ken' } },
  { name: 'docs', transport: 'http', url: 'http://127.0.0.1:7777/mcp', headers: { authorization: 'Bearer abc' } },
];

describe('claude-code with the fake claude CLI, end to end', () => {
  let root: TempDir;
  let worktree: string;
  let scratch: string;
  let recordFile: string;
  let ctx: HostRunContext | undefined;

  beforeEach(async () => {
    root = await makeTempDir('claude-code-e2e');
    worktree = path.join(root.path, 'worktree');
    scratch = path.join(root.path, 'scratch');
    mkdirSync(worktree);
    mkdirSync(scratch, { mode: 0o700 });
    recordFile = path.join(root.path, 'record.jsonl');
  });

  afterEach(async () => {
    if (ctx !== undefined) await ctx.stopProcesses();
    ctx = undefined;
    await root.cleanup();
  });

  function context(options: Partial<HostRunContextOptions> = {}, scenario = 'success'): HostRunContext {
    ctx = createHostRunContext({
      worktreePath: worktree,
      scratchDir: scratch,
      config: { command: FAKE_CLAUDE, passEnv: [] },
      ...options,
      env: { FAKE_AGENT_RECORD: recordFile, FAKE_AGENT_SCENARIO: scenario, ...options.env },
    });
    return ctx;
  }

  function run(runCtx: HostRunContext, options: Partial<ClaudeCodeOptions> = {}, onEvent?: (event: ExecutorEvent) => void) {
    return collectEvents(claudeCode.run({ attemptId: 'att_e2e', prompt: 'Leave a note.', options: withOptions(options) }, runCtx), onEvent);
  }

  const invocations = (): Invocation[] => readFileSync(recordFile, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Invocation);
  const stdinMessages = (invocation: Invocation) => invocation.stdin.map((line) => JSON.parse(line) as Record<string, unknown>);
  const editedFile = () => path.join(worktree, 'FAKE_EDIT.md');

  it('asks before the edit, writes FAKE_EDIT.md once approved, and reports the session, usage and success', async () => {
    const runCtx = context({ approvals: [{ outcome: 'approved' }] });
    const events = await run(runCtx);

    assert.match(readFileSync(editedFile(), 'utf8'), /Written by the fake claude CLI for: Leave a note\./);
    const [call] = eventsOfType(events, 'tool_call');
    assert.ok(call !== undefined);
    assert.deepEqual(runCtx.approvals.map(({ request }) => request), [{ tool: 'Write', input: call.input, callId: call.callId, summary: 'FAKE_EDIT.md' }]);
    assert.deepEqual(eventsOfType(events, 'file_change'), [{ type: 'file_change', path: 'FAKE_EDIT.md', change: 'added' }]);
    const [session] = eventsOfType(events, 'session');
    const [usage] = eventsOfType(events, 'usage');
    assert.ok(session !== undefined && usage !== undefined && (usage.costUsd ?? 0) > 0, JSON.stringify({ session, usage }));
    assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', summary: 'I wrote FAKE_EDIT.md.', exitCode: 0 });

    const [invocation] = invocations();
    assert.ok(invocation !== undefined);
    assert.equal(invocation.cwd, worktree);
    assert.deepEqual(invocation.argv.slice(0, 9), ['-p', '--output-format', 'stream-json', '--input-format', 'stream-json', '--verbose', '--permission-prompt-tool', 'stdio', '--permission-mode']);
    const [prompt, answer] = stdinMessages(invocation);
    assert.deepEqual(prompt, { type: 'user', message: { role: 'user', content: [{ type: 'text', text: 'Leave a note.' }] } });
    assert.deepEqual((answer?.['response'] as Record<string, unknown>)['response'], { behavior: 'allow', updatedInput: call.input });
  });

  it('writes nothing when the approval is denied, and hands claude the reason', async () => {
    const events = await run(context({ approvals: [{ outcome: 'denied', reason: 'Not in this repository.' }] }));

    assert.equal(existsSync(editedFile()), false);
    assert.deepEqual(eventsOfType(events, 'tool_result').map(({ isError, output }) => [isError, output]), [[true, 'Not in this repository.']]);
    assert.deepEqual(eventsOfType(events, 'file_change'), []);
    assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', summary: 'I did not write FAKE_EDIT.md: Not in this repository.', exitCode: 0 });
  });

  it('asks for nothing with permissionMode bypassPermissions', async () => {
    const runCtx = context();
    const events = await run(runCtx, { permissionMode: 'bypassPermissions' });
    assert.deepEqual(runCtx.approvals, []);
    assert.equal(existsSync(editedFile()), true);
    assert.equal(finalDone(events).status, 'succeeded');
    assert.deepEqual(stdinMessages(invocations()[0]!).map((message) => message['type']), ['user']);
  });

  it('resumes the session it is given, which claude reports back', async () => {
    const sessionId = 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e';
    assert.ok(claudeCode.resume !== undefined);
    const events = await collectEvents(claudeCode.resume({ attemptId: 'att_e2e', prompt: 'Carry on.', sessionId, options: withOptions({}) }, context()));
    assert.deepEqual(eventsOfType(events, 'session').map((event) => event.sessionId), [sessionId]);
    assert.equal(finalDone(events).status, 'succeeded');
    const [invocation] = invocations();
    assert.equal(invocation?.resumed, sessionId);
    assert.deepEqual(invocation?.argv.slice(invocation.argv.indexOf('--resume'), invocation.argv.indexOf('--resume') + 2), ['--resume', sessionId]);
  });

  it("hands the run's MCP servers to claude in a file of the run's scratch folder, and only those", async () => {
    await run(context({ mcpServers: MCP_SERVERS }));
    const [invocation] = invocations();
    assert.ok(invocation !== undefined);
    assert.deepEqual(invocation.mcp, {
      mcpServers: {
        forge: { command: '/usr/local/bin/forge-mcp', args: ['--stdio'], env: { FORGE_TOKEN: 't0ken' } },
        docs: { type: 'http', url: 'http://127.0.0.1:7777/mcp', headers: { authorization: 'Bearer abc' } },
      },
    });
    const file = invocation.argv[invocation.argv.indexOf('--mcp-config') + 1] ?? '';
    assert.equal(path.dirname(file), scratch);
    assert.ok(invocation.argv.includes('--strict-mcp-config'));
  });

  it('passes no MCP configuration when the run has no servers', async () => {
    await run(context({ mcpServers: [] }));
    const [invocation] = invocations();
    assert.deepEqual([invocation?.mcp, invocation?.argv.includes('--mcp-config'), invocation?.argv.includes('--strict-mcp-config')], [null, false, false]);
  });

  it('fails as auth when claude is logged out, with the scenario reaching it through passEnv', async () => {
    const name = 'FAKE_AGENT_SCENARIO';
    const before = process.env[name];
    process.env[name] = 'auth';
    try {
      const runCtx = context({ config: { command: FAKE_CLAUDE, passEnv: [name] } });
      // The context's own environment names the default scenario; passEnv must win, as the host lets it.
      const events = await run(runCtx);
      assert.deepEqual(finalDone(events), {
        type: 'done',
        status: 'failed',
        summary: 'Not logged in · Please run /login',
        error: 'claude reported an error: Not logged in · Please run /login',
        exitCode: 1,
        failure: { kind: 'auth' },
      });
    } finally {
      if (before === undefined) delete process.env[name];
      else process.env[name] = before;
    }
  });

  it('fails as rate_limit, saying how long to wait until the limit resets', async () => {
    const events = await run(context({}, 'rate_limit'));
    const done = finalDone(events);
    assert.equal(done.status, 'failed');
    assert.equal(done.failure?.kind, 'rate_limit');
    // The fake's limit resets an hour after it refused.
    const wait = done.failure?.retryAfterMs ?? 0;
    assert.ok(wait > 0 && wait <= 3_600_000, `retryAfterMs ${wait}`);
  });

  it('turns garbage on stdout into warn logs and still finishes the task', async () => {
    const events = await run(context({ approvals: [{ outcome: 'approved' }] }, 'garbage'));
    const warnings = eventsOfType(events, 'log').filter((log) => log.level === 'warn' && log.stream === 'stdout');
    assert.equal(warnings.length, 3);
    assert.equal(existsSync(editedFile()), true);
    assert.equal(finalDone(events).status, 'succeeded');
  });

  it('stops waiting for an approval when claude dies meanwhile, and fails quoting its stderr', async () => {
    const runCtx = context({}, 'crash');
    const asked: unknown[] = [];
    // A person who never answers: only claude's exit can end the wait.
    Object.assign(runCtx, { requestApproval: (request: unknown) => new Promise(() => asked.push(request)) });
    const events = await run(runCtx);
    assert.equal(asked.length, 1);
    assert.deepEqual(finalDone(events), { type: 'done', status: 'failed', summary: "I'll write FAKE_EDIT.md.", error: 'claude exited with code 1 before reporting a result: fake claude: out of memory', exitCode: 1 });
  });

  it("fails quoting claude's usage error when an extra argument is one it does not know", async () => {
    const events = await run(context(), { extraArgs: ['--bogus-flag'] });
    assert.deepEqual(finalDone(events), { type: 'done', status: 'failed', error: "claude exited with code 1 before reporting a result: error: unknown option '--bogus-flag'", exitCode: 1 });
  });

  it('stops a claude that hangs: cancelled, nothing after the stop, and the process gone', async () => {
    const runCtx = context({}, 'hang');
    const events = await run(runCtx, {}, (event) => {
      if (event.type === 'session') runCtx.abort();
    });
    assert.deepEqual(events.map((event) => event.type), ['session', 'done']);
    assert.deepEqual(finalDone(events), { type: 'done', status: 'cancelled', exitCode: 143 });
    const pid = runCtx.spawned[0]?.process.pid ?? 0;
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
  });

  it('on a stop, sends claude an interrupt and closes its input, so a claude that honours it ends by itself', async () => {
    const runCtx = context({ stopOnAbort: false });
    const events = await run(runCtx, {}, (event) => {
      if (event.type === 'tool_call') runCtx.abort();
    });
    assert.equal(events.at(-2)?.type, 'tool_call');
    assert.deepEqual(finalDone(events), { type: 'done', status: 'cancelled', summary: "I'll write FAKE_EDIT.md.", exitCode: 1 });
    assert.deepEqual(runCtx.approvals, []);
    assert.equal(existsSync(editedFile()), false);
    const [prompt, interrupt, ...rest] = stdinMessages(invocations()[0]!);
    assert.equal(prompt?.['type'], 'user');
    assert.deepEqual([interrupt?.['type'], interrupt?.['request'], rest], ['control_request', { subtype: 'interrupt' }, []]);
  });

  describe('detect', () => {
    const detectContext = (command: string) => ({
      findExecutable: async (name: string) => (name === 'node' ? process.execPath : null),
      exec: (file: string, args: readonly string[], options?: { timeoutMs?: number }) => runCommand(file, args, { env: { PATH: process.env['PATH'] ?? '' }, timeoutMs: options?.timeoutMs }),
      signal: new AbortController().signal,
      config: { command },
    });

    it('runs the configured command with --version and reports the version', async () => {
      assert.deepEqual(await claudeCode.detect(detectContext(FAKE_CLAUDE)), { available: true, version: '2.1.197' });
    });

    it('accepts a command line, looking up its first word', async () => {
      assert.deepEqual(await claudeCode.detect(detectContext(`node ${FAKE_CLAUDE}`)), { available: true, version: '2.1.197' });
    });
  });
});
