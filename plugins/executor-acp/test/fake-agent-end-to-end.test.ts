import assert from 'node:assert/strict';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutorEvent, McpServer } from '@forge-core/sdk';
import { collectEvents, eventsOfType, finalDone, type HostRunContext } from '@forge-core/sdk/testing';
import { acp, type AcpOptions } from '../src/index.ts';
import { fakeAgentRuns } from './support/fake-agent-runs.ts';

// The generic acp executor against test/fake-cli/acp-agent, a real ACP agent written with the
// ACP SDK, run as a child through the host's own process layer.
const FAKE_AGENT = fileURLToPath(new URL('./fake-cli/acp-agent', import.meta.url));

const OPTIONS: AcpOptions = {
  command: FAKE_AGENT,
  args: [],
  env: [],
  passEnv: [],
  token: undefined,
  tokenEnv: undefined,
  mode: undefined,
  model: undefined,
  turnTimeoutMs: 60_000,
  idleTimeoutMs: 60_000,
};

const MCP_SERVERS: McpServer[] = [
  { name: 'forge', transport: 'stdio', command: 'forge-mcp', args: ['--stdio'], env: { FORGE_TOKEN: 'tok-1' } },
  { name: 'docs', transport: 'http', url: 'https://mcp.example.com/v1', headers: { Authorization: 'Bearer t0k' } },
];

describe('acp executor with a real ACP agent (fake-acp-agent over stdio)', function () {
  this.timeout(30_000);
  const runs = fakeAgentRuns('acp-e2e', { readme: '# Project\n\nline 3\n' });
  const { context, records } = runs;

  function run(ctx: HostRunContext, prompt = 'Write the greeting.', options: Partial<AcpOptions> = {}, onEvent?: (event: ExecutorEvent) => void) {
    return collectEvents(acp.run({ attemptId: 'att_acp', prompt, options: { ...OPTIONS, ...options } }, ctx), onEvent);
  }

  function resume(ctx: HostRunContext, sessionId: string, prompt: string, options: Partial<AcpOptions> = {}) {
    return collectEvents(acp.resume!({ attemptId: 'att_acp', prompt, sessionId, options: { ...OPTIONS, ...options } }, ctx));
  }

  it('runs a turn: merged thinking and message, a plan, a read through fs, an approved edit written through fs, usage and the summary', async () => {
    const ctx = context({ mcpServers: MCP_SERVERS });
    const events = await run(ctx);

    assert.equal(readFileSync(path.join(runs.worktree, 'FAKE_EDIT.md'), 'utf8'), '# Edited by the fake ACP agent\n\nWrite the greeting.\n');
    const done = finalDone(events);
    assert.deepEqual([done.status, done.summary], ['succeeded', 'I wrote FAKE_EDIT.md.']);
    const session = eventsOfType(events, 'session')[0];
    assert.equal(session?.sessionId, records()[0]?.sessionId);
    assert.deepEqual(eventsOfType(events, 'thinking').map((e) => e.text), ['Reading the request, then editing one file.']);
    assert.deepEqual(eventsOfType(events, 'message').map((e) => e.text), ['I wrote FAKE_EDIT.md.']);
    const calls = eventsOfType(events, 'tool_call');
    assert.deepEqual(calls.map((c) => [c.tool, c.action]), [['plan', 'todo'], ['read', 'file_read'], ['edit', 'file_edit']]);
    assert.equal(calls[1]?.summary, 'Read README.md');
    const results = eventsOfType(events, 'tool_result');
    assert.equal(results.find((r) => r.callId === 'call-1')?.output, '# Project\n\nline 3\n');
    assert.deepEqual(eventsOfType(events, 'file_change').map((e) => [e.path, e.change]), [['FAKE_EDIT.md', 'added']], 'the write through fs, not again from the completed call’s diff');
    assert.deepEqual(eventsOfType(events, 'usage')[0], { type: 'usage', inputTokens: 1219, outputTokens: 340, cacheReadTokens: 800 });
    // Everything the agent sent before answering the prompt comes before what the answer brings.
    const kinds = events.map((e) => e.type);
    assert.ok(kinds.lastIndexOf('tool_result') < kinds.lastIndexOf('message') && kinds.lastIndexOf('message') < kinds.indexOf('usage'), kinds.join(' '));
    assert.equal(ctx.approvals.length, 1);
    assert.deepEqual(ctx.approvals[0]?.request.choices?.map((c) => c.kind), ['allow_once', 'allow_always', 'reject_once', 'reject_always']);
    assert.equal(ctx.approvals[0]?.request.tool, 'edit');
    assert.equal(ctx.approvals[0]?.request.summary, 'Write FAKE_EDIT.md');
    assert.equal(ctx.approvals[0]?.decision.choiceId, 'allow-once');
    // The run's MCP servers reach session/new in ACP's shape, values and all.
    assert.deepEqual(records()[0]?.mcp, [
      { name: 'forge', command: 'forge-mcp', args: ['--stdio'], env: [{ name: 'FORGE_TOKEN', value: 'tok-1' }] },
      { type: 'http', name: 'docs', url: 'https://mcp.example.com/v1', headers: [{ name: 'Authorization', value: 'Bearer t0k' }] },
    ]);
    // The log says who the agent is and what it can do.
    assert.ok(eventsOfType(events, 'log').some((e) => /^acp-agent 1\.0\.0 speaks ACP 1: loads sessions; MCP over stdio, http, sse/.test(e.text)));
  });

  it('leaves the file alone when the edit is denied, and answers with the agent\'s reject option', async () => {
    const ctx = context({ approvals: [{ outcome: 'denied', reason: 'not now' }] });
    const events = await run(ctx);
    assert.equal(existsSync(path.join(runs.worktree, 'FAKE_EDIT.md')), false);
    assert.equal(ctx.approvals[0]?.decision.choiceId, 'reject-once');
    assert.equal(finalDone(events).summary, 'I did not edit anything: the edit was refused.');
    assert.deepEqual(eventsOfType(events, 'tool_result').at(-1), { type: 'tool_result', callId: 'call-2', isError: true, output: 'The user refused this edit.' });
    assert.deepEqual(eventsOfType(events, 'file_change'), []);
  });

  it('approves one edit and denies another in the same turn, keeping "always" choices', async () => {
    const ctx = context({ approvals: [{ outcome: 'approved', scope: 'always' }, { outcome: 'denied', scope: 'always' }] });
    const events = await run(ctx, 'Write both files, second too.');
    assert.equal(existsSync(path.join(runs.worktree, 'FAKE_EDIT.md')), true);
    assert.equal(existsSync(path.join(runs.worktree, 'FAKE_EDIT_2.md')), false);
    assert.deepEqual(ctx.approvals.map((a) => a.decision.choiceId), ['allow-always', 'reject-always']);
    assert.equal(finalDone(events).status, 'succeeded');
  });

  it('refuses file requests outside the worktree or into .git, and the turn goes on', async () => {
    writeFileSync(path.join(runs.root, 'secret.txt'), 'do not read\n');
    symlinkSync(path.join(runs.root, 'secret.txt'), path.join(runs.worktree, 'link-out'));
    const ctx = context();
    const events = await run(ctx, 'Look outside first.');
    const refused = eventsOfType(events, 'log').filter((e) => e.level === 'warn' && e.text.startsWith("Refused the agent's file request"));
    assert.equal(refused.length, 2);
    assert.match(refused[0]?.text ?? '', /\/etc\/hostname is outside the attempt's worktree/);
    assert.equal(existsSync(path.join(runs.root, 'outside.txt')), false);
    // Each refusal's warning comes after what the agent said before it, so the answer is split there.
    const said = eventsOfType(events, 'message').map((e) => e.text).join('');
    assert.match(said, /fs\/read_text_file was refused: Refused: \/etc\/hostname is outside/);
    assert.match(said, /fs\/write_text_file was refused/);
    assert.equal(finalDone(events).status, 'succeeded');
    assert.equal(existsSync(path.join(runs.worktree, 'FAKE_EDIT.md')), true);
  });

  it('runs a client terminal in the worktree and shows its output in the tool result', async () => {
    const ctx = context();
    const events = await run(ctx, 'Use the terminal.');
    const call = eventsOfType(events, 'tool_call').find((c) => c.action === 'command');
    assert.equal(call?.summary, 'echo from-terminal');
    assert.deepEqual(eventsOfType(events, 'tool_result').find((r) => r.callId === call?.callId), { type: 'tool_result', callId: call?.callId, isError: false, output: 'from-terminal\n' });
  });

  it('cancels the turn mid-stream with session/cancel when the attempt is stopped', async () => {
    const ctx = context();
    let chunks = 0;
    const events = await run(ctx, 'Go slow.', {}, (event) => {
      if (event.type === 'tool_call' && event.tool === 'plan' && ++chunks === 1) setTimeout(() => ctx.abort(), 200);
    });
    assert.deepEqual(finalDone(events), { type: 'done', status: 'cancelled' });
    await ctx.processes[0]?.exited;
  });

  it('continues the session with session/load on a follow-up, not showing the replayed history again', async () => {
    const first = await run(context(), 'First request.');
    const sessionId = eventsOfType(first, 'session')[0]?.sessionId as string;
    const events = await resume(context(), sessionId, 'Follow-up request.');
    assert.equal(finalDone(events).status, 'succeeded');
    assert.deepEqual(eventsOfType(events, 'session').map((e) => e.sessionId), [sessionId]);
    assert.deepEqual(eventsOfType(events, 'message').map((e) => e.text), ['I wrote FAKE_EDIT.md.']);
    const [, second] = records();
    assert.deepEqual([second?.opened, second?.sessionId, second?.prompts], ['load', sessionId, ['Follow-up request.']]);
  });

  it('resumes with session/resume when the agent cannot load, and starts a new session with a note when it can do neither', async () => {
    const first = await run(context(), 'First request.', { args: ['--no-load', '--resume'] });
    const sessionId = eventsOfType(first, 'session')[0]?.sessionId as string;
    await resume(context(), sessionId, 'Second.', { args: ['--no-load', '--resume'] });
    const fallback = await resume(context(), sessionId, 'Third.', { args: ['--no-load'] });
    const [, resumed, fresh] = records();
    assert.deepEqual([resumed?.opened, resumed?.sessionId], ['resume', sessionId]);
    assert.equal(fresh?.opened, 'new');
    assert.notEqual(fresh?.sessionId, sessionId);
    assert.match(fresh?.prompts[0] ?? '', new RegExp(`^This continues earlier work on this task in this folder \\(session ${sessionId}, which could not be reopened\\)`));
    assert.match(fresh?.prompts[0] ?? '', /\n\nThird\.$/);
    assert.ok(eventsOfType(fallback, 'log').some((e) => e.text.includes('cannot load or resume a session')));
  });

  it('switches the session to the mode asked for (no approval asked in yolo) and warns about a mode the agent lacks', async () => {
    const yolo = context();
    await run(yolo, 'Write it.', { mode: 'yolo' });
    assert.equal(yolo.approvals.length, 0);
    assert.equal(records()[0]?.mode, 'yolo');
    const unknown = await run(context(), 'Write it.', { mode: 'plan' });
    assert.ok(eventsOfType(unknown, 'log').some((e) => e.text === 'acp-agent offers no mode plan (it offers default, yolo); the session keeps its own.'));
  });

  it('fails with failure auth and what to do when the agent is not logged in', async () => {
    const events = await run(context({ scenario: 'auth' }));
    const done = finalDone(events);
    assert.equal(done.status, 'failed');
    assert.deepEqual(done.failure, { kind: 'auth' });
    assert.match(done.error ?? '', /^acp-agent did not start a session: Authentication required\. Log the agent in/);
  });

  it('fails a rate-limited turn with failure rate_limit and the wait the agent named', async () => {
    const done = finalDone(await run(context({ scenario: 'rate_limit' })));
    assert.deepEqual([done.status, done.failure], ['failed', { kind: 'rate_limit', retryAfterMs: 4000 }]);
    assert.match(done.error ?? '', /429 Too Many Requests/);
  });

  it('keeps what another session sends before the session is known out of this run', async () => {
    const ctx = context({ scenario: 'early' });
    const events = await run(ctx);
    assert.equal(finalDone(events).status, 'succeeded', finalDone(events).error);
    assert.ok(!JSON.stringify(events).includes('NOT-MINE'), 'another session’s chunk is not shown');
    assert.deepEqual(eventsOfType(events, 'thinking').map((e) => e.text)[0], 'EARLY-MINE');
    assert.deepEqual(ctx.approvals.map((a) => a.request.callId), ['call-2'], 'only this session’s permission request is asked');
    assert.ok(eventsOfType(events, 'log').some((e) => /asked for a permission in session other-session, not this run's/.test(e.text)));
  });

  it('shows what came before the session was known ahead of what came after, however slowly the host takes the session', async () => {
    const ctx = context({ scenario: 'early' });
    const events: ExecutorEvent[] = [];
    for await (const event of acp.run({ attemptId: 'att_acp', prompt: 'Write the greeting.', options: OPTIONS }, ctx)) {
      events.push(event);
      // A host that stores the session before it asks for more: the agent's next update arrives meanwhile.
      if (event.type === 'session') await new Promise((resolve) => setTimeout(resolve, 300));
    }
    assert.equal(finalDone(events).status, 'succeeded', finalDone(events).error);
    const early = events.findIndex((e) => e.type === 'thinking' && e.text === 'EARLY-MINE');
    const late = events.findIndex((e) => e.type === 'message' && e.text.includes('LATE-MINE'));
    assert.ok(early !== -1 && late !== -1, JSON.stringify(events));
    assert.ok(early < late, `the update sent after the session's answer came out first: ${JSON.stringify(events.slice(0, 5))}`);
  });

  it('logs stray non-JSON lines and goes on', async () => {
    const events = await run(context({ scenario: 'garbage' }));
    assert.equal(finalDone(events).status, 'succeeded');
    assert.ok(eventsOfType(events, 'log').some((e) => e.text === 'acp-agent printed a line that is not an ACP message: Loaded cached credentials.'));
  });

  it('ends a silent agent after idleTimeoutMs with a failure that says why', async () => {
    const done = finalDone(await run(context({ scenario: 'hang' }), 'Write it.', { idleTimeoutMs: 300 }));
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', /^acp-agent sent nothing for idleTimeoutMs \(300 ms\), so the turn was cancelled/);
  });

  it('does not count a running tool call as silence: a long command is work, not a hang', async () => {
    const events = await run(context(), 'Run the silent tool.', { idleTimeoutMs: 150 });
    assert.equal(finalDone(events).status, 'succeeded', finalDone(events).error);
    assert.ok(eventsOfType(events, 'tool_result').some((r) => r.output === 'slow tool done'));
  });

  it('keeps only the tail of a command that prints without pause, and the run goes on', async () => {
    const events = await run(context(), 'Use the chatty terminal.', { mode: 'yolo' });
    assert.equal(finalDone(events).status, 'succeeded', finalDone(events).error);
    const said = eventsOfType(events, 'thinking').map((e) => e.text).join(' ');
    const [, bytes, truncated] = /chatty output: (\d+) bytes, truncated (\w+)/.exec(said) ?? [];
    assert.equal(truncated, 'true', said);
    assert.ok(Number(bytes) <= 1_000_000 && Number(bytes) > 900_000, said);
  });

  it('does not count a command running in a client terminal as silence', async () => {
    const events = await run(context(), 'Wait for the silent terminal.', { idleTimeoutMs: 150 });
    assert.equal(finalDone(events).status, 'succeeded', finalDone(events).error);
  });

  it('fails at once, saying why, when the agent sends a message longer than a line may be', async () => {
    const done = finalDone(await run(context(), 'Make a huge write.'));
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', /^acp-agent sent a message longer than the 1 MiB a line may hold/);
    assert.equal(existsSync(path.join(runs.worktree, 'huge.txt')), false);
  });

  it('shortens a tool named only by a long title, in its events and in its approval', async () => {
    const ctx = context();
    const events = await run(ctx, 'A long title first.');
    assert.equal(finalDone(events).status, 'succeeded', finalDone(events).error);
    const long = eventsOfType(events, 'tool_call').find((c) => c.tool.startsWith('Run xxx'));
    assert.ok(long && long.tool.length <= 100, long?.tool);
    assert.ok((ctx.approvals[0]?.request.tool.length ?? 0) <= 100);
  });

  it('bounds the start too: an agent that never answers initialize fails at turnTimeoutMs', async () => {
    const done = finalDone(await run(context({ scenario: 'hang_init' }), 'Write it.', { turnTimeoutMs: 300, idleTimeoutMs: 0 }));
    assert.match(done.error ?? '', /^acp-agent did not finish within turnTimeoutMs \(300 ms\)/);
  });

  it('ends a turn that outlasts turnTimeoutMs', async () => {
    const done = finalDone(await run(context({ scenario: 'hang' }), 'Write it.', { turnTimeoutMs: 300, idleTimeoutMs: 0 }));
    assert.match(done.error ?? '', /^acp-agent did not finish within turnTimeoutMs \(300 ms\)/);
  });

  it('fails before starting anything when the profile\'s env entries or token are malformed', async () => {
    const ctx = context();
    const done = finalDone(await run(ctx, 'x', { env: ['NOEQUALS'], token: 'k' }));
    assert.equal(done.error, 'The acp executor\'s options are wrong: env holds "NOEQUALS", which is not NAME=value; token is set but tokenEnv is not: name the environment variable the agent reads its key from.');
    assert.equal(ctx.spawned.length, 0);
  });

  it('says how the agent ended when its command cannot start', async () => {
    const done = finalDone(await run(context(), 'x', { command: path.join(runs.root, 'no-such-agent') }));
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', /no-such-agent/);
    assert.match(done.error ?? '', /exited|ENOENT|not found/i);
  });

  it('fails clearly when the agent exits before answering', async () => {
    const done = finalDone(await run(context(), 'x', { args: ['--bogus'] }));
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', /exited with code 2 before the turn finished; it said: acp-agent: unknown argument --bogus/);
  });
});
