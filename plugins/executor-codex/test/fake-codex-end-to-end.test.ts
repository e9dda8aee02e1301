import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApprovalRequest, ExecutorEvent, McpServer } from '@forge-core/sdk';
import { collectEvents, createHostRunContext, eventsOfType, finalDone, makeTempDir, type HostRunContext, type HostRunContextOptions, type TempDir } from '@forge-core/sdk/testing';
import type { CodexOptions } from '../src/codex-options.ts';
import { NOT_LOGGED_IN } from '../src/codex-session.ts';
import { codex } from '../src/index.ts';

// The executor against test/fake-cli/codex, a real child speaking the app-server protocol,
// run through the host's own process layer.
const FAKE_CODEX = fileURLToPath(new URL('./fake-cli/codex', import.meta.url));

const OPTIONS: CodexOptions = { model: undefined, sandbox: 'workspace-write', approvalPolicy: 'on-request', extraArgs: [], apiKey: undefined, maxReconnectWaitMs: 300_000 };

// Values TOML would mangle unescaped: quotes, a backslash, a newline, a tab, DEL, non-ASCII.
const MCP_SERVERS: McpServer[] = [
  { name: 'forge', transport: 'stdio', command: '/opt/forge tools/mcp "server"', args: ['--root', 'C:\\work', 'line\nbreak'], env: { TOKEN: 'a"b\\c\t\u007f', NAME: 'Zoë' } },
  { name: 'docs-http', transport: 'http', url: 'https://mcp.example.com/v1?x=1&y="2"', headers: { Authorization: 'Bearer t0k=n' } },
];

interface Recorded {
  argv: string[];
  cwd: string;
  mcp: Record<string, Record<string, unknown>>;
  resumed: string | null;
  stdin: string[];
}

describe('codex executor with the fake codex CLI (real processes)', () => {
  let root: TempDir;
  let worktree: string;
  let recordFile: string;
  let contexts: HostRunContext[];

  beforeEach(async () => {
    root = await makeTempDir('codex-e2e');
    worktree = path.join(root.path, 'worktree');
    mkdirSync(worktree);
    mkdirSync(path.join(root.path, 'scratch'));
    recordFile = path.join(root.path, 'record.jsonl');
    contexts = [];
  });

  afterEach(async () => {
    await Promise.all(contexts.map((ctx) => ctx.stopProcesses()));
    await root.cleanup();
  });

  function context(overrides: Partial<HostRunContextOptions> & { scenario?: string } = {}): HostRunContext {
    const { scenario = 'success', env, ...rest } = overrides;
    const scratchDir = path.join(root.path, 'scratch');
    const ctx = createHostRunContext({
      worktreePath: worktree,
      scratchDir,
      config: { command: FAKE_CODEX, passEnv: [] },
      // codex keeps its state under HOME: the run's scratch folder here, never the user's.
      env: { HOME: scratchDir, FAKE_AGENT_SCENARIO: scenario, FAKE_AGENT_RECORD: recordFile, ...env },
      ...rest,
    });
    contexts.push(ctx);
    return ctx;
  }

  function run(ctx: HostRunContext, options: Partial<CodexOptions> = {}, prompt = 'Write the greeting.', onEvent?: (event: ExecutorEvent) => void) {
    return collectEvents(codex.run({ attemptId: 'att_codex', prompt, options: { ...OPTIONS, ...options } }, ctx), onEvent);
  }

  function records(): Recorded[] {
    return readFileSync(recordFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Recorded);
  }

  const methodsWritten = (record: Recorded) => record.stdin.map((line) => (JSON.parse(line) as { method?: string; result?: unknown }).method ?? `answer ${JSON.stringify((JSON.parse(line) as { result?: unknown }).result)}`);

  it('edits the worktree once the file change is approved, reporting the thread, the file, usage and the summary', async () => {
    const ctx = context({ mcpServers: MCP_SERVERS });
    const events = await run(ctx, {}, 'Write the greeting.');

    assert.equal(readFileSync(path.join(worktree, 'FAKE_EDIT.md'), 'utf8'), 'Edited by the fake codex.\n\nWrite the greeting.\n');
    const [session] = eventsOfType(events, 'session');
    assert.match(session?.sessionId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(session?.model, 'gpt-6.2-sol');
    const [call] = eventsOfType(events, 'tool_call');
    assert.deepEqual([call?.tool, call?.action, call?.summary], ['fileChange', 'file_edit', 'FAKE_EDIT.md']);
    assert.deepEqual(eventsOfType(events, 'file_change'), [{ type: 'file_change', path: 'FAKE_EDIT.md', change: 'added' }]);
    assert.deepEqual(eventsOfType(events, 'usage'), [{ type: 'usage', inputTokens: 1376, outputTokens: 120, cacheReadTokens: 1024, cacheWriteTokens: 0 }]);
    assert.deepEqual(eventsOfType(events, 'thinking'), [{ type: 'thinking', text: '**Writing the requested file**' }]);
    assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', summary: 'Wrote FAKE_EDIT.md.', exitCode: 0 });

    assert.equal(ctx.approvals.length, 1);
    const [approval] = ctx.approvals;
    assert.deepEqual([approval?.request.tool, approval?.request.callId, approval?.request.summary], ['fileChange', call?.callId, 'Edit FAKE_EDIT.md']);

    const [record] = records();
    assert.equal(record?.cwd, worktree);
    assert.equal(record?.argv[0], 'app-server');
    assert.equal(record?.resumed, null);
    assert.deepEqual(record?.mcp, {
      forge: { command: '/opt/forge tools/mcp "server"', args: ['--root', 'C:\\work', 'line\nbreak'], env: { TOKEN: 'a"b\\c\t\u007f', NAME: 'Zoë' } },
      'docs-http': { url: 'https://mcp.example.com/v1?x=1&y="2"', http_headers: { Authorization: 'Bearer t0k=n' } },
    });
    assert.deepEqual(methodsWritten(record as Recorded), ['initialize', 'initialized', 'account/read', 'thread/start', 'turn/start', 'answer {"decision":"accept"}']);
    assert.deepEqual(JSON.parse(record?.stdin[3] ?? '{}').params, { cwd: worktree, approvalPolicy: 'on-request', sandbox: 'workspace-write' });
  });

  it('leaves the worktree alone when the change is declined', async () => {
    const ctx = context({ approvals: [{ outcome: 'denied', reason: 'not now' }] });
    const events = await run(ctx);

    assert.equal(existsSync(path.join(worktree, 'FAKE_EDIT.md')), false);
    assert.deepEqual(eventsOfType(events, 'file_change'), []);
    assert.deepEqual(eventsOfType(events, 'tool_result').map(({ isError, output }) => [isError, output]), [[true, 'The change was declined.']]);
    assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', summary: 'I did not write FAKE_EDIT.md: the change was declined.', exitCode: 0 });
    assert.deepEqual(methodsWritten(records()[0] as Recorded).at(-1), 'answer {"decision":"decline"}');
  });

  it('answers "approve always" with acceptForSession', async () => {
    const ctx = context({ approvals: [{ outcome: 'approved', scope: 'always' }] });
    const events = await run(ctx);
    assert.equal(existsSync(path.join(worktree, 'FAKE_EDIT.md')), true);
    assert.equal(finalDone(events).status, 'succeeded');
    assert.deepEqual(methodsWritten(records()[0] as Recorded).at(-1), 'answer {"decision":"acceptForSession"}');
  });

  it('answers "reject always" with decline, leaving the later requests to the host\'s rule, and codex finishes its turn', async () => {
    const ctx = context({ approvals: [{ outcome: 'denied', scope: 'always' }] });
    const events = await run(ctx);
    assert.equal(existsSync(path.join(worktree, 'FAKE_EDIT.md')), false);
    assert.equal(finalDone(events).status, 'succeeded');
    assert.deepEqual(methodsWritten(records()[0] as Recorded).at(-1), 'answer {"decision":"decline"}');
  });

  it('asks nothing with approvalPolicy never, and codex edits at once', async () => {
    const ctx = context();
    const events = await run(ctx, { approvalPolicy: 'never', model: 'gpt-test' });
    assert.equal(ctx.approvals.length, 0);
    assert.equal(existsSync(path.join(worktree, 'FAKE_EDIT.md')), true);
    assert.equal(eventsOfType(events, 'session')[0]?.model, 'gpt-test');
    assert.equal(finalDone(events).status, 'succeeded');
  });

  it('resumes the same thread on a follow-up, which reports the same session id', async () => {
    const first = await run(context(), { approvalPolicy: 'never' });
    const sessionId = eventsOfType(first, 'session')[0]?.sessionId as string;

    const ctx = context();
    const followUp = await collectEvents(codex.resume!({ attemptId: 'att_codex', prompt: 'Now add a farewell.', options: { ...OPTIONS, approvalPolicy: 'never' }, sessionId }, ctx));

    assert.deepEqual(eventsOfType(followUp, 'session').map((event) => event.sessionId), [sessionId]);
    assert.equal(finalDone(followUp).status, 'succeeded');
    assert.equal(readFileSync(path.join(worktree, 'FAKE_EDIT.md'), 'utf8'), 'Edited by the fake codex.\n\nNow add a farewell.\n');
    const [, resumed] = records();
    assert.equal(resumed?.resumed, sessionId);
    assert.deepEqual(JSON.parse(resumed?.stdin[3] ?? '{}'), {
      id: 3,
      method: 'thread/resume',
      params: { threadId: sessionId, cwd: worktree, approvalPolicy: 'never', sandbox: 'workspace-write' },
    });
  });

  it('fails at once with an auth failure when codex is logged out and no key reaches it, and codex exits', async () => {
    const events = await run(context({ scenario: 'auth' }));
    assert.deepEqual(finalDone(events), { type: 'done', status: 'failed', error: NOT_LOGGED_IN, failure: { kind: 'auth' }, exitCode: 0 });
    assert.match(NOT_LOGGED_IN, /codex login/);
    assert.deepEqual(methodsWritten(records()[0] as Recorded), ['initialize', 'initialized', 'account/read']);
  });

  it('with a key, starts the turn; when codex then retries the model forever, maxReconnectWaitMs stops it', async () => {
    // The host sets OPENAI_API_KEY from the apiKey secret; this context plays that part.
    const ctx = context({ scenario: 'auth', env: { OPENAI_API_KEY: 'sk-test-not-a-key' } });
    const events = await run(ctx, { apiKey: 'sk-test-not-a-key', maxReconnectWaitMs: 0 });

    const done = finalDone(events);
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', /^Codex could not reach the model: .*maxReconnectWaitMs \(0 ms\).*Reconnecting\.\.\. 1\/5/);
    assert.equal(done.failure, undefined);
    const written = methodsWritten(records()[0] as Recorded);
    assert.deepEqual(written.slice(0, 5), ['initialize', 'initialized', 'account/read', 'thread/start', 'turn/start']);
    assert.equal(written[5], 'turn/interrupt');
  });

  it('reports a rate limit as a typed failure with the wait codex gave', async () => {
    const events = await run(context({ scenario: 'rate_limit' }));
    const done = finalDone(events);
    assert.equal(done.status, 'failed');
    assert.deepEqual(done.failure, { kind: 'rate_limit', retryAfterMs: 20_000 });
    assert.match(done.error ?? '', /429 Too Many Requests/);
  });

  it('warns about lines that are not JSON-RPC and still finishes the run', async () => {
    const events = await run(context({ scenario: 'garbage' }));
    const warnings = eventsOfType(events, 'log').filter((event) => event.level === 'warn' && event.text.startsWith('codex printed a line that is not a JSON-RPC message'));
    assert.equal(warnings.length, 3);
    assert.equal(finalDone(events).status, 'succeeded');
    assert.equal(existsSync(path.join(worktree, 'FAKE_EDIT.md')), true);
  });

  it('ends cancelled when stopped while codex hangs, and the host stops the process', async () => {
    const ctx = context({ scenario: 'hang' });
    const events = await run(ctx, {}, 'Write the greeting.', (event) => {
      if (event.type === 'session') ctx.abort();
    });
    assert.deepEqual(finalDone(events), { type: 'done', status: 'cancelled' });
    assert.deepEqual(events.slice(-2).map((event) => event.type), ['session', 'done']);
    const exit = await ctx.processes[0]?.exited;
    assert.notEqual(exit?.code, 0);
  });

  it('ends cancelled when stopped while an approval is pending', async () => {
    const ctx = context();
    const stopWhileAsking = {
      ...ctx,
      requestApproval: (request: ApprovalRequest) => {
        ctx.abort();
        return ctx.requestApproval(request);
      },
    };
    const events = await run(stopWhileAsking);
    assert.deepEqual(finalDone(events), { type: 'done', status: 'cancelled' });
    assert.equal(existsSync(path.join(worktree, 'FAKE_EDIT.md')), false);
    assert.equal(ctx.approvals[0]?.decision.by, 'cancelled');
  });
});
