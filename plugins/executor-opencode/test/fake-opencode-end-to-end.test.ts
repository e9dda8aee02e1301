import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutorEvent, McpServer } from '@forge-core/sdk';
import { collectEvents, eventsOfType, finalDone, type HostRunContext } from '@forge-core/sdk/testing';
import { opencode } from '../src/index.ts';
import type { OpencodeOptions } from '../src/opencode-options.ts';
import { fakeAgentRuns } from '../../executor-acp/test/support/fake-agent-runs.ts';

// The opencode executor against test/fake-cli/opencode, a real ACP agent with opencode 1.18.33's
// argv surface and handshake, run as a child through the host's own process layer.
const FAKE_OPENCODE = fileURLToPath(new URL('./fake-cli/opencode', import.meta.url));

const OPTIONS: OpencodeOptions = {
  mode: undefined,
  model: undefined,
  turnTimeoutMs: 60_000,
  idleTimeoutMs: 60_000,
  permission: 'ask',
  anthropicApiKey: undefined,
  openaiApiKey: undefined,
  extraArgs: [],
};

const MCP_SERVERS: McpServer[] = [{ name: 'forge', transport: 'stdio', command: 'forge-mcp', args: ['--stdio'], env: { FORGE_TOKEN: 'tok-1' } }];

describe('opencode executor with the fake opencode CLI (real processes)', function () {
  this.timeout(30_000);
  const runs = fakeAgentRuns('opencode-e2e', { config: { command: FAKE_OPENCODE, passEnv: [] } });
  const { context, records } = runs;

  function run(ctx: HostRunContext, prompt = 'Write the greeting.', options: Partial<OpencodeOptions> = {}, onEvent?: (event: ExecutorEvent) => void) {
    return collectEvents(opencode.run({ attemptId: 'att_opencode', prompt, options: { ...OPTIONS, ...options } }, ctx), onEvent);
  }

  it('edits the worktree once the edit is approved, reporting the session, the file, usage and the summary', async () => {
    const ctx = context({ mcpServers: MCP_SERVERS });
    const events = await run(ctx);

    assert.equal(readFileSync(path.join(runs.worktree, 'FAKE_EDIT.md'), 'utf8'), '# Edited by the fake ACP agent\n\nWrite the greeting.\n');
    const [record] = records();
    assert.deepEqual([record?.argv, record?.cwd, record?.opened], [['acp'], runs.worktree, 'new']);
    assert.deepEqual(record?.mcp, [{ name: 'forge', command: 'forge-mcp', args: ['--stdio'], env: [{ name: 'FORGE_TOKEN', value: 'tok-1' }] }]);
    assert.deepEqual(eventsOfType(events, 'session').map((e) => e.sessionId), [record?.sessionId]);
    assert.deepEqual(eventsOfType(events, 'file_change').at(-1), { type: 'file_change', path: 'FAKE_EDIT.md', change: 'added' });
    assert.equal(eventsOfType(events, 'usage').length, 1);
    assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', summary: 'I wrote FAKE_EDIT.md.', exitCode: 0 });
    assert.deepEqual(ctx.approvals.map((a) => [a.request.tool, a.decision.choiceId]), [['edit', 'allow-once']]);
    // opencode is told to ask before edits, commands and fetches.
    assert.equal(ctx.spawned[0]?.env['OPENCODE_PERMISSION'], '{"edit":"ask","bash":"ask","webfetch":"ask"}');
    assert.ok(eventsOfType(events, 'log').some((e) => /^OpenCode 1\.18\.33 speaks ACP 1: loads sessions; resumes sessions; MCP over stdio, http, sse.*logs in with opencode-login/.test(e.text)));
  });

  it('leaves the worktree alone when the edit is denied, and answers "always" with the always options', async () => {
    const denied = context({ approvals: [{ outcome: 'denied', reason: 'not now' }] });
    await run(denied);
    assert.equal(existsSync(path.join(runs.worktree, 'FAKE_EDIT.md')), false);
    assert.equal(denied.approvals[0]?.decision.choiceId, 'reject-once');

    const always = context({ approvals: [{ outcome: 'approved', scope: 'always' }, { outcome: 'denied', scope: 'always' }] });
    await run(always, 'Write both files, second too.');
    assert.deepEqual(always.approvals.map((a) => a.decision.choiceId), ['allow-always', 'reject-always']);
    assert.equal(existsSync(path.join(runs.worktree, 'FAKE_EDIT_2.md')), false);
  });

  it('hands opencode the allow permission, the mode and the extra arguments', async () => {
    const ctx = context();
    const events = await run(ctx, 'Write it.', { permission: 'allow', mode: 'plan', model: 'anthropic/claude-sonnet-4', extraArgs: ['--log-level', 'WARN'] });
    const [record] = records();
    assert.deepEqual(JSON.parse(ctx.spawned[0]?.env['OPENCODE_PERMISSION'] ?? ''), { edit: 'allow', bash: 'allow', webfetch: 'allow' });
    assert.deepEqual([record?.argv, record?.mode], [['acp', '--log-level', 'WARN'], 'plan']);
    // The fake takes no model (it has no config options): the run says so and goes on.
    assert.ok(eventsOfType(events, 'log').some((e) => e.level === 'warn' && e.text.startsWith('OpenCode did not switch to model anthropic/claude-sonnet-4')));
    assert.equal(finalDone(events).status, 'succeeded');
  });

  it('continues the session with session/load on a follow-up, which reports the same session id', async () => {
    const first = await run(context(), 'First request.');
    const sessionId = eventsOfType(first, 'session')[0]?.sessionId as string;
    const followUp = await collectEvents(opencode.resume!({ attemptId: 'att_opencode', prompt: 'Follow-up request.', sessionId, options: OPTIONS }, context()));
    assert.deepEqual(eventsOfType(followUp, 'session').map((e) => e.sessionId), [sessionId]);
    assert.equal(finalDone(followUp).status, 'succeeded');
    const [, second] = records();
    assert.deepEqual([second?.opened, second?.sessionId, second?.prompts], ['load', sessionId, ['Follow-up request.']]);
  });

  it('fails with failure auth and how to give opencode a key when its provider refuses', async () => {
    const done = finalDone(await run(context({ scenario: 'auth' })));
    assert.deepEqual([done.status, done.failure], ['failed', { kind: 'auth' }]);
    assert.match(done.error ?? '', /^OpenCode did not start a session: provider authentication required\. Give opencode a key .*`opencode auth login`\.$/);
  });

  it('fails a rate-limited turn with failure rate_limit and the wait opencode named', async () => {
    const done = finalDone(await run(context({ scenario: 'rate_limit' })));
    assert.deepEqual([done.status, done.failure], ['failed', { kind: 'rate_limit', retryAfterMs: 4000 }]);
  });

  it('logs lines that are not ACP messages and goes on', async () => {
    const events = await run(context({ scenario: 'garbage' }));
    assert.equal(finalDone(events).status, 'succeeded');
    assert.ok(eventsOfType(events, 'log').some((e) => e.level === 'warn' && e.text === 'OpenCode printed a line that is not an ACP message: Loaded cached credentials.'));
  });

  it('ends an opencode that stays silent after idleTimeoutMs, as the real one does offline, and one stopped by the user as cancelled', async () => {
    const silent = finalDone(await run(context({ scenario: 'hang' }), 'Write it.', { idleTimeoutMs: 300 }));
    assert.equal(silent.status, 'failed');
    assert.match(silent.error ?? '', /^OpenCode sent nothing for idleTimeoutMs \(300 ms\), so the turn was cancelled/);

    const ctx = context();
    const stopped = await run(ctx, 'Go slow.', {}, (event) => {
      if (event.type === 'tool_call' && event.tool === 'plan') setTimeout(() => ctx.abort(), 100);
    });
    assert.deepEqual(finalDone(stopped), { type: 'done', status: 'cancelled' });
  });

  it('fails clearly when opencode refuses its arguments', async () => {
    const done = finalDone(await run(context(), 'x', { extraArgs: ['--no-such-flag'] }));
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', /exited with code 2 before the turn finished; it said: Unknown argument: no-such-flag/);
  });
});
