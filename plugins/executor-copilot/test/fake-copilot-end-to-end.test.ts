import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutorEvent, McpServer } from '@forge-core/sdk';
import { collectEvents, eventsOfType, finalDone, type HostRunContext } from '@forge-core/sdk/testing';
import type { CopilotOptions } from '../src/copilot-options.ts';
import { copilot } from '../src/index.ts';
import { fakeAgentRuns } from '../../executor-acp/test/support/fake-agent-runs.ts';

// The copilot executor against test/fake-cli/copilot, a real ACP agent with copilot 1.0.102's
// argv surface and handshake, run as a child through the host's own process layer.
const FAKE_COPILOT = fileURLToPath(new URL('./fake-cli/copilot', import.meta.url));
const MODE = 'https://agentclientprotocol.com/protocol/session-modes#';

const OPTIONS: CopilotOptions = { mode: undefined, model: undefined, turnTimeoutMs: 60_000, idleTimeoutMs: 60_000, githubToken: undefined, extraArgs: [] };

const MCP_SERVERS: McpServer[] = [
  { name: 'forge', transport: 'stdio', command: 'forge-mcp', args: ['--stdio'], env: { FORGE_TOKEN: 'tok-1' } },
  { name: 'docs', transport: 'http', url: 'https://mcp.example.com/v1', headers: { Authorization: 'Bearer t0k' } },
];

describe('copilot executor with the fake copilot CLI (real processes)', function () {
  this.timeout(30_000);
  const runs = fakeAgentRuns('copilot-e2e', { config: { command: FAKE_COPILOT, passEnv: [] } });
  const { context, records } = runs;

  function run(ctx: HostRunContext, prompt = 'Write the greeting.', options: Partial<CopilotOptions> = {}, onEvent?: (event: ExecutorEvent) => void) {
    return collectEvents(copilot.run({ attemptId: 'att_copilot', prompt, options: { ...OPTIONS, ...options } }, ctx), onEvent);
  }

  it('edits the worktree once the edit is approved, reporting the session, the tool calls, the file, usage and the summary', async () => {
    const ctx = context({ mcpServers: MCP_SERVERS });
    const events = await run(ctx);

    assert.equal(readFileSync(path.join(runs.worktree, 'FAKE_EDIT.md'), 'utf8'), '# Edited by the fake ACP agent\n\nWrite the greeting.\n');
    const [record] = records();
    assert.deepEqual([record?.argv, record?.cwd, record?.opened], [['--acp'], runs.worktree, 'new']);
    assert.deepEqual(eventsOfType(events, 'session').map((e) => e.sessionId), [record?.sessionId]);
    assert.deepEqual(eventsOfType(events, 'tool_call').map((c) => c.action), ['todo', 'file_read', 'file_edit']);
    assert.deepEqual(eventsOfType(events, 'file_change').at(-1), { type: 'file_change', path: 'FAKE_EDIT.md', change: 'added' });
    assert.equal(eventsOfType(events, 'usage').length, 1);
    assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', summary: 'I wrote FAKE_EDIT.md.', exitCode: 0 });
    assert.deepEqual(ctx.approvals.map((a) => [a.request.tool, a.decision.choiceId]), [['edit', 'allow-once']]);
    // The run's MCP servers reach session/new in ACP's shape.
    assert.deepEqual(record?.mcp, [
      { name: 'forge', command: 'forge-mcp', args: ['--stdio'], env: [{ name: 'FORGE_TOKEN', value: 'tok-1' }] },
      { type: 'http', name: 'docs', url: 'https://mcp.example.com/v1', headers: [{ name: 'Authorization', value: 'Bearer t0k' }] },
    ]);
    assert.ok(eventsOfType(events, 'log').some((e) => /^Copilot 1\.0\.102 speaks ACP 1: loads sessions; MCP over stdio, http, sse.*logs in with copilot-login/.test(e.text)));
  });

  it('leaves the worktree alone when the edit is denied, answering with the reject option', async () => {
    const ctx = context({ approvals: [{ outcome: 'denied', reason: 'not now' }] });
    const events = await run(ctx);
    assert.equal(existsSync(path.join(runs.worktree, 'FAKE_EDIT.md')), false);
    assert.equal(ctx.approvals[0]?.decision.choiceId, 'reject-once');
    assert.deepEqual(eventsOfType(events, 'file_change'), []);
    assert.equal(finalDone(events).summary, 'I did not edit anything: the edit was refused.');
  });

  it('answers "always" with the allow-always and reject-always options', async () => {
    const ctx = context({ approvals: [{ outcome: 'approved', scope: 'always' }, { outcome: 'denied', scope: 'always' }] });
    await run(ctx, 'Write both files, second too.');
    assert.deepEqual(ctx.approvals.map((a) => a.decision.choiceId), ['allow-always', 'reject-always']);
    assert.equal(existsSync(path.join(runs.worktree, 'FAKE_EDIT.md')), true);
    assert.equal(existsSync(path.join(runs.worktree, 'FAKE_EDIT_2.md')), false);
  });

  it('switches the session to a mode named by its word, and passes the extra arguments', async () => {
    const ctx = context();
    const events = await run(ctx, 'Write it.', { mode: 'plan', extraArgs: ['--disable-mcp-server', 'playwright'] });
    const [record] = records();
    assert.equal(record?.mode, `${MODE}plan`);
    assert.deepEqual(record?.argv, ['--acp', '--disable-mcp-server', 'playwright']);
    assert.equal(finalDone(events).status, 'succeeded');
  });

  it('continues the session with session/load on a follow-up, which reports the same session id', async () => {
    const first = await run(context(), 'First request.');
    const sessionId = eventsOfType(first, 'session')[0]?.sessionId as string;
    const followUp = await collectEvents(copilot.resume!({ attemptId: 'att_copilot', prompt: 'Follow-up request.', sessionId, options: OPTIONS }, context()));
    assert.deepEqual(eventsOfType(followUp, 'session').map((e) => e.sessionId), [sessionId]);
    assert.equal(finalDone(followUp).status, 'succeeded');
    const [, second] = records();
    assert.deepEqual([second?.opened, second?.sessionId, second?.prompts], ['load', sessionId, ['Follow-up request.']]);
  });

  it('fails with failure auth and the ways to log in when copilot is logged out', async () => {
    const done = finalDone(await run(context({ scenario: 'auth' })));
    assert.deepEqual([done.status, done.failure], ['failed', { kind: 'auth' }]);
    assert.match(done.error ?? '', /^Copilot CLI did not start a session: Authentication required\. Log copilot in .*\/login.*gh auth login.*githubToken option/);
  });

  it('fails a rate-limited turn with failure rate_limit and the wait copilot named', async () => {
    const done = finalDone(await run(context({ scenario: 'rate_limit' })));
    assert.deepEqual([done.status, done.failure], ['failed', { kind: 'rate_limit', retryAfterMs: 4000 }]);
  });

  it('logs lines that are not ACP messages and goes on', async () => {
    const events = await run(context({ scenario: 'garbage' }));
    assert.equal(finalDone(events).status, 'succeeded');
    assert.ok(eventsOfType(events, 'log').some((e) => e.level === 'warn' && e.text === 'Copilot CLI printed a line that is not an ACP message: Loaded cached credentials.'));
  });

  it('ends a copilot that stays silent after idleTimeoutMs, and one stopped by the user as cancelled', async () => {
    const silent = finalDone(await run(context({ scenario: 'hang' }), 'Write it.', { idleTimeoutMs: 300 }));
    assert.equal(silent.status, 'failed');
    assert.match(silent.error ?? '', /^Copilot CLI sent nothing for idleTimeoutMs \(300 ms\), so the turn was cancelled/);

    const ctx = context();
    const stopped = await run(ctx, 'Go slow.', {}, (event) => {
      if (event.type === 'tool_call' && event.tool === 'plan') setTimeout(() => ctx.abort(), 100);
    });
    assert.deepEqual(finalDone(stopped), { type: 'done', status: 'cancelled' });
  });

  it('fails clearly when copilot refuses its arguments', async () => {
    const done = finalDone(await run(context(), 'x', { extraArgs: ['--no-such-flag'] }));
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', /exited with code 2 before the turn finished; it said: error: unknown option '--no-such-flag'/);
  });
});
