import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApprovalRequest, ExecutorEvent, McpServer } from '@forge-core/sdk';
import { collectEvents, createFakeDetectContext, eventsOfType, finalDone, type HostRunContext } from '@forge-core/sdk/testing';
import { detectGemini } from '../src/detect-gemini.ts';
import type { GeminiOptions } from '../src/gemini-options.ts';
import { gemini } from '../src/index.ts';
import { fakeAgentRuns, type FakeAgentContextOptions } from '../../executor-acp/test/support/fake-agent-runs.ts';

// The executor against test/fake-cli/gemini, a real ACP agent in a child process, run through
// the host's own process layer.
const FAKE_GEMINI = fileURLToPath(new URL('./fake-cli/gemini', import.meta.url));

const OPTIONS: GeminiOptions = { mode: undefined, model: undefined, turnTimeoutMs: 3_600_000, idleTimeoutMs: 600_000, apiKey: undefined, extraArgs: [] };

const MCP_SERVERS: McpServer[] = [
  { name: 'forge', transport: 'stdio', command: '/opt/forge/mcp', args: ['--stdio'], env: { FORGE_TOKEN: 't0k' } },
  { name: 'docs', transport: 'http', url: 'https://mcp.example.com/v1', headers: { Authorization: 'Bearer abc' } },
];

/** What the fake agent appends to FAKE_AGENT_RECORD, once per process. */
describe('gemini executor with the fake gemini CLI (real processes)', () => {
  const runs = fakeAgentRuns('gemini-e2e', { readme: '# demo\n' });
  const { records } = runs;
  /** This test's own path to the fake, so the version the executor remembers for it is this test's alone. */
  let fakeCommand: string;

  beforeEach(() => {
    mkdirSync(path.join(runs.root, 'bin'));
    fakeCommand = path.join(runs.root, 'bin', 'gemini');
    symlinkSync(FAKE_GEMINI, fakeCommand);
  });

  /** A context for the fake at this test's path, `--acp` unless the test says otherwise, and the version it should claim. */
  function context(overrides: FakeAgentContextOptions & { version?: string } = {}): HostRunContext {
    const { version, env, config, ...rest } = overrides;
    return runs.context({
      config: { command: fakeCommand, passEnv: [], acpFlag: '--acp', ...config },
      env: { ...(version === undefined ? {} : { FAKE_GEMINI_VERSION: version }), ...env },
      ...rest,
    });
  }

  function run(ctx: HostRunContext, options: Partial<GeminiOptions> = {}, prompt = 'Write the greeting.', onEvent?: (event: ExecutorEvent) => void) {
    return collectEvents(gemini.run({ attemptId: 'att_gemini', prompt, options: { ...OPTIONS, ...options } }, ctx), onEvent);
  }

  it('edits the worktree once the edit is approved, reporting the session, the file, usage and the summary', async () => {
    const ctx = context({ mcpServers: MCP_SERVERS });
    const events = await run(ctx);

    assert.equal(readFileSync(path.join(runs.worktree, 'FAKE_EDIT.md'), 'utf8'), '# Edited by the fake ACP agent\n\nWrite the greeting.\n');
    const [session] = eventsOfType(events, 'session');
    assert.match(session?.sessionId ?? '', /^[0-9a-f-]{36}$/);
    // The write through fs/write_text_file and the completed call's diff each report the change.
    const changes = eventsOfType(events, 'file_change');
    assert.ok(changes.length > 0);
    assert.deepEqual(new Set(changes.map(({ path: file, change }) => `${change} ${file}`)), new Set(['added FAKE_EDIT.md']));
    assert.equal(eventsOfType(events, 'usage').length, 1);
    assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', summary: 'I wrote FAKE_EDIT.md.', exitCode: 0 });

    assert.equal(ctx.approvals.length, 1);
    const [approval] = ctx.approvals;
    assert.deepEqual([approval?.request.tool, approval?.request.summary, approval?.decision.choiceId], ['edit', 'Write FAKE_EDIT.md', 'allow-once']);

    const [record] = records();
    assert.deepEqual(record?.argv, ['--acp']);
    assert.equal(record?.cwd, runs.worktree);
    assert.equal(record?.opened, 'new');
    assert.equal(record?.sessionId, session?.sessionId);
    assert.equal(record?.mode, 'default');
    assert.deepEqual(record?.mcp, [
      { name: 'forge', command: '/opt/forge/mcp', args: ['--stdio'], env: [{ name: 'FORGE_TOKEN', value: 't0k' }] },
      { type: 'http', name: 'docs', url: 'https://mcp.example.com/v1', headers: [{ name: 'Authorization', value: 'Bearer abc' }] },
    ]);
  });

  it('finds gemini by its name on the PATH, as the default command setting does', async () => {
    const ctx = context({ config: { command: 'gemini' }, env: { PATH: `${path.dirname(FAKE_GEMINI)}${path.delimiter}${process.env['PATH'] ?? ''}` } });
    const events = await run(ctx);
    assert.equal(finalDone(events).status, 'succeeded');
    assert.deepEqual(ctx.spawned.map(({ call }) => [call.command, call.args]), [['gemini', ['--acp']]]);
  });

  it('leaves the worktree alone when the edit is denied', async () => {
    const ctx = context({ approvals: [{ outcome: 'denied', reason: 'not now' }] });
    const events = await run(ctx);
    assert.equal(existsSync(path.join(runs.worktree, 'FAKE_EDIT.md')), false);
    assert.deepEqual(eventsOfType(events, 'file_change'), []);
    assert.equal(ctx.approvals[0]?.decision.choiceId, 'reject-once');
    assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', summary: 'I did not edit anything: the edit was refused.', exitCode: 0 });
  });

  it('answers "approve always" with the agent\'s allow_always option', async () => {
    const ctx = context({ approvals: [{ outcome: 'approved', scope: 'always' }] });
    const events = await run(ctx);
    assert.equal(ctx.approvals[0]?.decision.choiceId, 'allow-always');
    assert.equal(existsSync(path.join(runs.worktree, 'FAKE_EDIT.md')), true);
    assert.equal(finalDone(events).status, 'succeeded');
  });

  it('switches to yolo mode when asked, and gemini edits without asking', async () => {
    const ctx = context();
    const events = await run(ctx, { mode: 'yolo', extraArgs: ['--include-directories', '../shared'] });
    assert.equal(ctx.approvals.length, 0);
    assert.equal(existsSync(path.join(runs.worktree, 'FAKE_EDIT.md')), true);
    assert.equal(finalDone(events).status, 'succeeded');
    const [record] = records();
    assert.deepEqual(record?.argv, ['--acp', '--include-directories', '../shared']);
    assert.equal(record?.mode, 'yolo');
  });

  it('loads the same session on a follow-up, which reports the same session id', async () => {
    const first = await run(context());
    const sessionId = eventsOfType(first, 'session')[0]?.sessionId as string;

    const followUp = await collectEvents(gemini.resume!({ attemptId: 'att_gemini', prompt: 'Now add a farewell.', options: OPTIONS, sessionId }, context()));

    assert.deepEqual(eventsOfType(followUp, 'session').map((event) => event.sessionId), [sessionId]);
    assert.equal(finalDone(followUp).status, 'succeeded');
    assert.equal(readFileSync(path.join(runs.worktree, 'FAKE_EDIT.md'), 'utf8'), '# Edited by the fake ACP agent\n\nNow add a farewell.\n');
    const [, resumed] = records();
    assert.deepEqual([resumed?.opened, resumed?.sessionId, resumed?.prompts], ['load', sessionId, ['Now add a farewell.']]);
  });

  it('fails with an auth failure that says how to log in when gemini has no key', async () => {
    const events = await run(context({ scenario: 'auth' }));
    const done = finalDone(events);
    assert.equal(done.status, 'failed');
    assert.deepEqual(done.failure, { kind: 'auth' });
    assert.match(done.error ?? '', /^Gemini CLI did not start a session: Gemini API key is missing or not configured\..*Run `gemini` once .* GEMINI_API_KEY .*passEnv/);
  });

  it('reports a rate limit as a typed failure with the wait the agent named', async () => {
    const done = finalDone(await run(context({ scenario: 'rate_limit' })));
    assert.equal(done.status, 'failed');
    assert.deepEqual(done.failure, { kind: 'rate_limit', retryAfterMs: 4_000 });
  });

  it('fails with its own bound when gemini goes silent, as it does offline with a key', async () => {
    const done = finalDone(await run(context({ scenario: 'hang' }), { idleTimeoutMs: 200 }));
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', /Gemini CLI sent nothing for idleTimeoutMs \(200 ms\)/);
  });

  it('ends cancelled when stopped while an approval is pending, and the file stays unwritten', async () => {
    const ctx = context();
    const stopWhileAsking = {
      ...ctx,
      requestApproval: (request: ApprovalRequest) => {
        ctx.abort();
        return ctx.requestApproval(request);
      },
    };
    const events = await collectEvents(gemini.run({ attemptId: 'att_gemini', prompt: 'Write it.', options: OPTIONS }, stopWhileAsking));
    assert.deepEqual(finalDone(events), { type: 'done', status: 'cancelled' });
    assert.equal(existsSync(path.join(runs.worktree, 'FAKE_EDIT.md')), false);
  });

  it('warns about lines that are not ACP messages and still finishes the run', async () => {
    const events = await run(context({ scenario: 'garbage' }));
    const warnings = eventsOfType(events, 'log').filter((event) => event.level === 'warn' && event.text.startsWith('Gemini CLI printed a line that is not an ACP message'));
    assert.equal(warnings.length, 2);
    assert.equal(finalDone(events).status, 'succeeded');
  });

  describe('the ACP flag (acpFlag auto)', () => {
    it('asks an old gemini its version and starts it with --experimental-acp, which is all it takes', async () => {
      const ctx = context({ version: '0.26.0', config: { acpFlag: 'auto' } });
      const events = await run(ctx);

      assert.equal(finalDone(events).status, 'succeeded');
      assert.deepEqual(ctx.spawned.map(({ call }) => call.args), [['--version'], ['--experimental-acp']]);
      assert.deepEqual(records()[0]?.argv, ['--experimental-acp']);
      assert.deepEqual(eventsOfType(events, 'log').filter((event) => event.text.includes('predates')).map((event) => event.text), [
        'Gemini CLI 0.26.0 predates --acp (0.34.0), so it is started with --experimental-acp.',
      ]);
    });

    it('asks only once per command setting: the next run reuses the version', async () => {
      await run(context({ config: { acpFlag: 'auto' } }));
      const second = context({ config: { acpFlag: 'auto' } });
      const events = await run(second);
      assert.equal(finalDone(events).status, 'succeeded');
      assert.deepEqual(second.spawned.map(({ call }) => call.args), [['--acp']]);
    });

    it('uses the version detect found without asking again', async () => {
      const detected = await detectGemini(createFakeDetectContext({ config: { command: fakeCommand }, answer: { code: 0, stdout: '0.30.1\n', stderr: '' } }));
      assert.deepEqual(detected, { available: true, version: '0.30.1' });

      const ctx = context({ version: '0.30.1', config: { acpFlag: 'auto' } });
      const events = await run(ctx);
      assert.equal(finalDone(events).status, 'succeeded');
      assert.deepEqual(ctx.spawned.map(({ call }) => call.args), [['--experimental-acp']]);
    });

    it('an old gemini refuses --acp when the setting forces it, and the run says what gemini said', async () => {
      const done = finalDone(await run(context({ version: '0.26.0', config: { acpFlag: '--acp' } })));
      assert.equal(done.status, 'failed');
      assert.match(done.error ?? '', /^Gemini CLI exited with code 2 before the turn finished; it said: Unknown argument: acp/);
    });

    it('starts gemini with --acp and a warning when its version cannot be told', async () => {
      const ctx = context({ version: 'unknown', config: { acpFlag: 'auto' } });
      const events = await run(ctx);
      const [warning] = eventsOfType(events, 'log').filter((event) => event.level === 'warn');
      assert.match(warning?.text ?? '', /^Could not tell the Gemini CLI version \(`.+ --version` printed no version: unknown\); starting it with --acp\. Set executors\.gemini\.acpFlag/);
      assert.deepEqual(ctx.spawned.map(({ call }) => call.args), [['--version'], ['--acp']]);
    });
  });
});
