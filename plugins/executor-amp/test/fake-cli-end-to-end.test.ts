import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutorEvent, McpServer } from '@forge-core/sdk';
import { collectEvents, createHostRunContext, eventsOfType, finalDone, makeTempDir, type HostRunContext, type HostRunContextOptions, type TempDir } from '@forge-core/sdk/testing';
import { ampMcpConfig, AMP_MCP_CONFIG_FILE } from '../src/amp-mcp-config.ts';
import type { AmpOptions } from '../src/amp-options.ts';
import { amp } from '../src/index.ts';
import { withOptions } from './support/options.ts';

const FAKE_AMP = fileURLToPath(new URL('./fake-cli/amp', import.meta.url));
const THREAD_ID = /^T-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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

describe('amp with the fake amp CLI, end to end', () => {
  let root: TempDir;
  let worktree: string;
  let scratch: string;
  let recordFile: string;
  let contexts: HostRunContext[] = [];

  beforeEach(async () => {
    root = await makeTempDir('amp-e2e');
    worktree = path.join(root.path, 'worktree');
    scratch = path.join(root.path, 'scratch');
    mkdirSync(worktree);
    mkdirSync(scratch, { mode: 0o700 });
    recordFile = path.join(root.path, 'record.jsonl');
  });

  afterEach(async () => {
    await Promise.all(contexts.map((ctx) => ctx.stopProcesses()));
    contexts = [];
    await root.cleanup();
  });

  function context(scenario = 'success', options: Partial<HostRunContextOptions> = {}): HostRunContext {
    const ctx = createHostRunContext({
      worktreePath: worktree,
      scratchDir: scratch,
      config: { command: FAKE_AMP, passEnv: [] },
      ...options,
      env: { FAKE_AGENT_RECORD: recordFile, FAKE_AGENT_SCENARIO: scenario, FAKE_AMP_THREADS_DIR: path.join(root.path, 'threads'), ...options.env },
    });
    contexts.push(ctx);
    return ctx;
  }

  const run = (ctx: HostRunContext, prompt: string, options: Partial<AmpOptions> = {}, onEvent?: (event: ExecutorEvent) => void) =>
    collectEvents(amp.run({ attemptId: 'att_e2e', prompt, options: withOptions(options) }, ctx), onEvent);
  const resume = (ctx: HostRunContext, prompt: string, sessionId: string) => collectEvents(amp.resume!({ attemptId: 'att_e2e', prompt, sessionId, options: withOptions({}) }, ctx));

  const invocations = (): Invocation[] => readFileSync(recordFile, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Invocation);
  const editedFile = () => path.join(worktree, 'FAKE_EDIT.md');
  const sessionOf = (events: readonly ExecutorEvent[]) => eventsOfType(events, 'session')[0]?.sessionId ?? '';

  it('edits FAKE_EDIT.md with every tool allowed, and reports the thread, the edit, usage and success', async () => {
    const events = await run(context(), 'Leave a note.');

    assert.equal(readFileSync(editedFile(), 'utf8'), '# Fake edit\n\n- Leave a note.\n');
    assert.match(sessionOf(events), THREAD_ID);
    assert.deepEqual(eventsOfType(events, 'file_change'), [{ type: 'file_change', path: 'FAKE_EDIT.md', change: 'modified' }]);
    assert.deepEqual(eventsOfType(events, 'tool_call').map(({ tool, action, summary }) => [tool, action, summary]), [['create_file', 'file_edit', 'FAKE_EDIT.md']]);
    assert.equal(eventsOfType(events, 'usage').length, 2);
    assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', summary: 'Done: FAKE_EDIT.md notes the request.', exitCode: 0 });
    assert.deepEqual(invocations(), [{ argv: ['--execute', '--stream-json', '--dangerously-allow-all'], cwd: worktree, mcp: null, resumed: null, stdin: ['Leave a note.'] }]);
  });

  it('continues the thread for a follow-up, under the same id, leaving out the earlier turn amp prints again', async () => {
    const first = await run(context(), 'Leave a note.');
    const threadId = sessionOf(first);
    const events = await resume(context(), 'Add another line.', threadId);

    assert.equal(readFileSync(editedFile(), 'utf8'), '# Fake edit\n\n- Leave a note.\n- Add another line.\n');
    assert.deepEqual(eventsOfType(events, 'session'), [{ type: 'session', sessionId: threadId }]);
    assert.deepEqual(eventsOfType(events, 'message').filter(({ role }) => role === 'user'), [{ type: 'message', role: 'user', text: 'Add another line.' }]);
    assert.deepEqual(eventsOfType(events, 'tool_call').map(({ tool }) => tool), ['edit_file']);
    assert.equal(eventsOfType(events, 'usage').length, 2, 'the replayed turn\'s usage is not counted again');
    assert.ok(events.some((event) => event.type === 'log' && event.text === 'left out 8 events amp replayed from the earlier turns of the thread'), JSON.stringify(events));
    assert.equal(finalDone(events).status, 'succeeded');
    const [, continued] = invocations();
    assert.deepEqual(continued?.argv, ['threads', 'continue', threadId, '--execute', '--stream-json', '--dangerously-allow-all']);
    assert.equal(continued?.resumed, threadId);
  });

  it('without allowAll, leaves the file alone when amp refuses the edit for want of permission', async () => {
    const events = await run(context(), 'Leave a note.', { allowAll: false });

    assert.equal(existsSync(editedFile()), false);
    assert.deepEqual(eventsOfType(events, 'tool_result').map(({ isError }) => isError), [true]);
    assert.deepEqual(eventsOfType(events, 'file_change'), []);
    assert.equal(finalDone(events).status, 'succeeded');
    assert.deepEqual(invocations()[0]?.argv, ['--execute', '--stream-json']);
  });

  it("hands amp the run's MCP servers in a file of its own, readable by its owner only", async () => {
    const events = await run(context('success', { mcpServers: MCP_SERVERS }), 'Leave a note.');

    assert.equal(finalDone(events).status, 'succeeded');
    const file = path.join(scratch, AMP_MCP_CONFIG_FILE);
    assert.deepEqual(invocations()[0]?.mcp, ampMcpConfig(MCP_SERVERS));
    assert.deepEqual(invocations()[0]?.argv.slice(-2), ['--mcp-config', file]);
    assert.deepEqual(ampMcpConfig(MCP_SERVERS), {
      forge: { command: '/usr/local/bin/forge-mcp', args: ['--stdio'], env: { FORGE_TOKEN: 't0ken' } },
      docs: { url: 'http://127.0.0.1:7777/mcp', headers: { authorization: 'Bearer abc' } },
    });
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('stops at once at the login prompt of an amp without credentials, as an auth failure saying how to log in', async () => {
    const ctx = context('auth');
    const events = await run(ctx, 'Leave a note.');

    const done = finalDone(events);
    assert.equal(done.status, 'failed');
    assert.deepEqual(done.failure, { kind: 'auth' });
    assert.match(done.error ?? '', /^amp is not logged in: .*option apiKey.*passEnv.*`amp login`/);
    // The fake, like amp, still waits for a login code: the run did not wait for it to end.
    assert.equal(ctx.processes[0]?.hasExited, false);
  });

  it('fails a rate-limited run as rate_limit, with the wait amp names', async () => {
    const done = finalDone(await run(context('rate_limit'), 'Leave a note.'));
    assert.equal(done.status, 'failed');
    assert.deepEqual(done.failure, { kind: 'rate_limit', retryAfterMs: 30_000 });
  });

  it("quotes amp's words when it cannot reach its server, from the server's environment named by passEnv", async () => {
    const saved = process.env['AMP_URL'];
    process.env['AMP_URL'] = 'http://127.0.0.1:9';
    try {
      const done = finalDone(await run(context('offline', { config: { command: FAKE_AMP, passEnv: ['AMP_URL'] } }), 'Leave a note.'));
      assert.deepEqual(done, {
        type: 'done',
        status: 'failed',
        error: "amp exited with code 1 before reporting a result: Error: Couldn't connect to the Amp server at http://127.0.0.1:9. / Run `pnpm dev` to start the local server, then try again.",
        exitCode: 1,
      });
    } finally {
      if (saved === undefined) delete process.env['AMP_URL'];
      else process.env['AMP_URL'] = saved;
    }
  });

  it('logs lines that are not JSON and carries on', async () => {
    const events = await run(context('garbage'), 'Leave a note.');
    const warnings = eventsOfType(events, 'log').filter(({ level }) => level === 'warn').map(({ text }) => text);
    assert.deepEqual(warnings, [
      'amp printed a line that is not JSON: [amp] warming up the thread… (not JSON)',
      'amp printed a line that is not JSON: {"type":"assistant","message":',
      'amp printed a line that is not JSON: plain text from a stray console.log',
    ]);
    assert.equal(finalDone(events).status, 'succeeded');
    assert.ok(existsSync(editedFile()));
  });

  it('fails a run that hangs once idleTimeoutMs passes in silence', async () => {
    const events = await run(context('hang'), 'Leave a note.', { idleTimeoutMs: 300 });
    assert.match(sessionOf(events), THREAD_ID);
    assert.deepEqual(finalDone(events), {
      type: 'done',
      status: 'failed',
      error: 'amp printed nothing for 300 ms (the option idleTimeoutMs), so the run was stopped; it may be waiting for a server or network that does not answer.',
    });
  });

  it('ends with a cancelled done, and nothing else, when the run is stopped', async () => {
    const ctx = context('hang');
    const events = await run(ctx, 'Leave a note.', {}, (event) => {
      if (event.type === 'session') ctx.abort();
    });
    assert.equal(events[0]?.type, 'session');
    assert.deepEqual(events.slice(1), [{ type: 'done', status: 'cancelled', exitCode: null }]);
  });
});
