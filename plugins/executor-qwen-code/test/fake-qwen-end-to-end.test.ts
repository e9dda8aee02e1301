import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutorEvent, McpServer } from '@forge-core/sdk';
import { collectEvents, eventsOfType, finalDone, type HostRunContext } from '@forge-core/sdk/testing';
import { qwenCode } from '../src/index.ts';
import type { QwenOptions } from '../src/qwen-options.ts';
import { fakeAgentRuns } from '../../executor-acp/test/support/fake-agent-runs.ts';

// The executor against test/fake-cli/qwen, a real ACP agent in a child process, run through the
// host's own process layer.
const FAKE_QWEN = fileURLToPath(new URL('./fake-cli/qwen', import.meta.url));

const OPTIONS: QwenOptions = {
  mode: undefined,
  model: undefined,
  turnTimeoutMs: 3_600_000,
  idleTimeoutMs: 600_000,
  authType: 'none',
  apiKey: undefined,
  baseUrl: undefined,
  extraArgs: [],
};

const MCP_SERVERS: McpServer[] = [{ name: 'forge', transport: 'stdio', command: '/opt/forge/mcp', args: ['--stdio'], env: { FORGE_TOKEN: 't0k' } }];

describe('qwen-code executor with the fake qwen CLI (real processes)', () => {
  const runs = fakeAgentRuns('qwen-e2e', { readme: '# demo\n', config: { command: FAKE_QWEN, passEnv: [] } });
  const { context, records } = runs;

  function run(ctx: HostRunContext, options: Partial<QwenOptions> = {}, prompt = 'Write the greeting.', onEvent?: (event: ExecutorEvent) => void) {
    return collectEvents(qwenCode.run({ attemptId: 'att_qwen', prompt, options: { ...OPTIONS, ...options } }, ctx), onEvent);
  }

  it('edits the worktree once the edit is approved, in qwen\'s own default mode', async () => {
    const ctx = context({ mcpServers: MCP_SERVERS });
    const events = await run(ctx);

    assert.equal(readFileSync(path.join(runs.worktree, 'FAKE_EDIT.md'), 'utf8'), '# Edited by the fake ACP agent\n\nWrite the greeting.\n');
    const [session] = eventsOfType(events, 'session');
    assert.match(session?.sessionId ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(new Set(eventsOfType(events, 'file_change').map(({ path: file, change }) => `${change} ${file}`)), new Set(['added FAKE_EDIT.md']));
    assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', summary: 'I wrote FAKE_EDIT.md.', exitCode: 0 });
    assert.deepEqual(ctx.approvals.map(({ request, decision }) => [request.tool, decision.choiceId]), [['edit', 'allow-once']]);

    const [record] = records();
    assert.deepEqual([record?.argv, record?.cwd, record?.opened, record?.sessionId, record?.mode], [['--acp'], runs.worktree, 'new', session?.sessionId, 'default']);
    assert.deepEqual(record?.mcp, [{ name: 'forge', command: '/opt/forge/mcp', args: ['--stdio'], env: [{ name: 'FORGE_TOKEN', value: 't0k' }] }]);
  });

  it('finds qwen by its name on the PATH, as the default command setting does', async () => {
    const ctx = context({ config: { command: 'qwen', passEnv: [] }, env: { PATH: `${path.dirname(FAKE_QWEN)}${path.delimiter}${process.env['PATH'] ?? ''}` } });
    const events = await run(ctx);
    assert.equal(finalDone(events).status, 'succeeded');
    assert.deepEqual(ctx.spawned.map(({ call }) => [call.command, call.args]), [['qwen', ['--acp']]]);
  });

  it('leaves the worktree alone when the edit is denied', async () => {
    const ctx = context({ approvals: [{ outcome: 'denied', reason: 'not now' }] });
    const events = await run(ctx);
    assert.equal(existsSync(path.join(runs.worktree, 'FAKE_EDIT.md')), false);
    assert.equal(ctx.approvals[0]?.decision.choiceId, 'reject-once');
    assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', summary: 'I did not edit anything: the edit was refused.', exitCode: 0 });
  });

  it('answers "approve always" with the agent\'s allow_always option', async () => {
    const ctx = context({ approvals: [{ outcome: 'approved', scope: 'always' }] });
    assert.equal(finalDone(await run(ctx)).status, 'succeeded');
    assert.equal(ctx.approvals[0]?.decision.choiceId, 'allow-always');
  });

  it('logs in with --auth-type openai, the endpoint and the model in qwen\'s environment, and switches to yolo', async () => {
    // The host sets OPENAI_API_KEY from the apiKey secret; this context plays that part.
    const ctx = context({ env: { OPENAI_API_KEY: 'sk-test-not-a-key' } });
    const events = await run(ctx, { authType: 'openai', apiKey: 'sk-test-not-a-key', baseUrl: 'http://127.0.0.1:9/v1', model: 'qwen3-coder-plus', mode: 'yolo' });

    assert.equal(finalDone(events).status, 'succeeded');
    assert.equal(ctx.approvals.length, 0);
    assert.equal(existsSync(path.join(runs.worktree, 'FAKE_EDIT.md')), true);
    const [spawned] = ctx.spawned;
    assert.deepEqual(spawned?.call.args, ['--acp', '--auth-type', 'openai']);
    assert.deepEqual(spawned?.env, { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_MODEL: 'qwen3-coder-plus' });
    assert.deepEqual([records()[0]?.argv, records()[0]?.mode], [['--acp', '--auth-type', 'openai'], 'yolo']);
  });

  it('loads the same session on a follow-up, which reports the same session id', async () => {
    const first = await run(context());
    const sessionId = eventsOfType(first, 'session')[0]?.sessionId as string;

    const followUp = await collectEvents(qwenCode.resume!({ attemptId: 'att_qwen', prompt: 'Now add a farewell.', options: OPTIONS, sessionId }, context()));

    assert.deepEqual(eventsOfType(followUp, 'session').map((event) => event.sessionId), [sessionId]);
    assert.equal(finalDone(followUp).status, 'succeeded');
    const [, resumed] = records();
    assert.deepEqual([resumed?.opened, resumed?.sessionId, resumed?.prompts], ['load', sessionId, ['Now add a farewell.']]);
  });

  it('fails with an auth failure that says how to log in when qwen is not logged in', async () => {
    const done = finalDone(await run(context({ scenario: 'auth' })));
    assert.equal(done.status, 'failed');
    assert.deepEqual(done.failure, { kind: 'auth' });
    assert.match(done.error ?? '', /^Qwen Code did not start a session: Authentication required: Use Qwen Code CLI to authenticate first\..*run `qwen` once.*authType to openai/);
  });

  it('reports a rate limit as a typed failure with the wait the agent named', async () => {
    const done = finalDone(await run(context({ scenario: 'rate_limit' })));
    assert.deepEqual([done.status, done.failure], ['failed', { kind: 'rate_limit', retryAfterMs: 4_000 }]);
  });

  it('ends cancelled when stopped while qwen hangs', async () => {
    const ctx = context({ scenario: 'hang' });
    const events = await run(ctx, {}, 'Write the greeting.', (event) => {
      if (event.type === 'session') ctx.abort();
    });
    assert.deepEqual(finalDone(events), { type: 'done', status: 'cancelled' });
  });

  it('warns about lines that are not ACP messages and still finishes the run', async () => {
    const events = await run(context({ scenario: 'garbage' }));
    assert.equal(eventsOfType(events, 'log').filter((event) => event.level === 'warn' && event.text.startsWith('Qwen Code printed a line that is not an ACP message')).length, 2);
    assert.equal(finalDone(events).status, 'succeeded');
  });
});
