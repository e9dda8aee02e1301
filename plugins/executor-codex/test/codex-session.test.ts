import assert from 'node:assert/strict';
import type { ExecutorEvent } from '@forge-core/sdk';
import { collectEvents, createFakeRunContext, eventsOfType, FakeProcess, finalDone, type FakeRunContext, type FakeRunContextOptions, type Recording } from '@forge-core/sdk/testing';
import type { CodexOptions } from '../src/codex-options.ts';
import { codex } from '../src/index.ts';

// The run's protocol handling against recordings played by the kit's FakeProcess, which holds
// each response until its request was written and waits for answers to codex's own requests.
const OPTIONS: CodexOptions = { model: undefined, sandbox: 'workspace-write', approvalPolicy: 'on-request', extraArgs: [], apiKey: undefined, maxReconnectWaitMs: 300_000 };
const THREAD = 'thr-1';
const TURN = 'turn-1';

const result = (id: number, value: unknown) => JSON.stringify({ id, result: value });
const note = (method: string, params: Record<string, unknown> = {}) => JSON.stringify({ method, params: { threadId: THREAD, turnId: TURN, ...params }, emittedAtMs: 1_796_322_790_000 });
const turnCompleted = (status: string, error: unknown = null) => note('turn/completed', { turn: { id: TURN, status, error } });
const agentMessage = (text: string, threadId = THREAD) => note('item/completed', { threadId, item: { type: 'agentMessage', id: `m-${text.length}`, text } });
const HANDSHAKE = [result(1, { userAgent: 'test/0.171.0' }), result(2, { account: { type: 'apiKey' }, requiresOpenaiAuth: true }), result(3, { thread: { id: THREAD }, model: 'gpt-6.2-sol' }), result(4, { turn: { id: TURN, status: 'inProgress' } })];

interface Written {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { code: number; message: string };
}

async function runRecording(recording: Recording, options: Partial<CodexOptions> = {}, context: FakeRunContextOptions = {}, onEvent?: (event: ExecutorEvent, ctx: FakeRunContext) => void) {
  const ctx = createFakeRunContext({ recording, worktreePath: '/work/tree', ...context });
  const events = await collectEvents(codex.run({ attemptId: 'att_1', prompt: 'Do it.', options: { ...OPTIONS, ...options } }, ctx), (event) => onEvent?.(event, ctx));
  const written = (ctx.spawned[0]?.written ?? []).map((line) => JSON.parse(line) as Written);
  return { events, ctx, written };
}

describe('codex app-server session', () => {
  it('on a stop, asks codex to interrupt the turn, ends its input and ends cancelled without waiting', async () => {
    const stdout = [...HANDSHAKE, note('turn/started'), note('item/started', { item: { type: 'commandExecution', id: 'c1', command: 'sleep 600', cwd: '/work/tree', status: 'inProgress' } })];
    // A process the stop does not kill, so what the executor writes after the stop can be read.
    const survivor: FakeRunContextOptions['startProcess'] = (recording, call) => new FakeProcess(recording, call, new AbortController().signal);
    const { events, ctx, written } = await runRecording({ stdout }, {}, { startProcess: survivor }, (event, context) => {
      if (event.type === 'tool_call') context.abort();
    });

    assert.deepEqual(events.slice(-2).map((event) => event.type), ['tool_call', 'done']);
    assert.deepEqual(finalDone(events), { type: 'done', status: 'cancelled' });
    assert.deepEqual(written.at(-1), { id: 5, method: 'turn/interrupt', params: { threadId: THREAD, turnId: TURN } });
    assert.equal((ctx.spawned[0]?.process as FakeProcess).inputClosed, true);
  });

  it('when codex keeps retrying past maxReconnectWaitMs with nothing else to say, interrupts the turn and fails', async () => {
    const retrying = note('error', { error: { message: 'Reconnecting... waiting for network', codexErrorInfo: { responseStreamDisconnected: { httpStatusCode: null } }, additionalDetails: 'Connection failed: error sending request' }, willRetry: true });
    const { events, written } = await runRecording({ stdout: [...HANDSHAKE, note('turn/started'), retrying] }, { maxReconnectWaitMs: 20 });

    const done = finalDone(events);
    assert.equal(done.status, 'failed');
    assert.equal(
      done.error,
      'Codex could not reach the model: it was still retrying after 1 attempt(s) and maxReconnectWaitMs (20 ms), so the turn was stopped. Last error: Reconnecting... waiting for network (Connection failed: error sending request). Check the network and the account, or raise maxReconnectWaitMs.',
    );
    assert.deepEqual(written.at(-1), { id: 5, method: 'turn/interrupt', params: { threadId: THREAD, turnId: TURN } });
    assert.deepEqual(eventsOfType(events, 'log').map((event) => `${event.level}: ${event.text}`).at(-1), 'warn: codex is retrying: Reconnecting... waiting for network (Connection failed: error sending request)');
  });

  it('answers a request it does not handle with a JSON-RPC error, so codex goes on', async () => {
    const stdout = [...HANDSHAKE, JSON.stringify({ id: 0, method: 'item/tool/requestUserInput', params: { threadId: THREAD, turnId: TURN, itemId: 'q1', questions: [] } }), agentMessage('Went on without an answer.'), turnCompleted('completed')];
    const { events, written } = await runRecording({ stdout });

    assert.deepEqual(written.find((line) => line.id === 0 && line.error !== undefined), { id: 0, error: { code: -32601, message: 'Forge does not answer item/tool/requestUserInput' } });
    assert.ok(events.some((event) => event.type === 'log' && event.level === 'warn' && event.text.includes('item/tool/requestUserInput')));
    assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', summary: 'Went on without an answer.', exitCode: 0 });
  });

  it('ignores notifications of another thread (a sub-agent\'s), including its turn ending', async () => {
    const other = JSON.stringify({ method: 'turn/completed', params: { threadId: 'thr-sub', turn: { id: 'turn-sub', status: 'failed', error: { message: 'sub failed' } } } });
    const stdout = [...HANDSHAKE, agentMessage('from the sub-agent', 'thr-sub'), other, agentMessage('Done.'), turnCompleted('completed')];
    const { events } = await runRecording({ stdout });
    assert.deepEqual(eventsOfType(events, 'message').map((event) => event.text), ['Done.']);
    assert.equal(finalDone(events).status, 'succeeded');
  });

  it('fails with the exit and the last stderr lines when codex ends before the turn does', async () => {
    const stderr = ['\u001b[31mERROR\u001b[0m starting', 'thread panicked at codex-rs/core/src/codex.rs:1: boom', 'note: run with RUST_BACKTRACE=1'];
    const { events } = await runRecording({ stdout: [...HANDSHAKE, note('turn/started')], stderr, exitCode: 101 });
    assert.deepEqual(finalDone(events), {
      type: 'done',
      status: 'failed',
      error: 'codex app-server exited with code 101 before the turn finished: ERROR starting / thread panicked at codex-rs/core/src/codex.rs:1: boom / note: run with RUST_BACKTRACE=1',
      exitCode: 101,
    });
    assert.deepEqual(eventsOfType(events, 'log').filter((event) => event.stream === 'stderr').map((event) => event.text), ['ERROR starting', 'thread panicked at codex-rs/core/src/codex.rs:1: boom', 'note: run with RUST_BACKTRACE=1']);
  });

  it('resumes with thread/resume and the run\'s settings, and fails clearly when the thread is gone', async () => {
    const ctx = createFakeRunContext({
      recording: { stdout: [result(1, {}), result(2, { account: null, requiresOpenaiAuth: false }), JSON.stringify({ id: 3, error: { code: -32600, message: 'no rollout found for thread id thr-old' } })] },
      worktreePath: '/work/tree',
      config: { model: 'gpt-config' },
    });
    const events = await collectEvents(codex.resume!({ attemptId: 'att_1', prompt: 'More.', options: { ...OPTIONS, sandbox: 'read-only', approvalPolicy: 'untrusted' }, sessionId: 'thr-old' }, ctx));
    const written = (ctx.spawned[0]?.written ?? []).map((line) => JSON.parse(line) as Written);
    assert.deepEqual(written[3], { id: 3, method: 'thread/resume', params: { threadId: 'thr-old', cwd: '/work/tree', approvalPolicy: 'untrusted', sandbox: 'read-only', model: 'gpt-config' } });
    assert.deepEqual(finalDone(events), { type: 'done', status: 'failed', error: 'codex could not resume thread thr-old: no rollout found for thread id thr-old', exitCode: 0 });
  });

  it('types a turn that failed for lack of authorization as an auth failure', async () => {
    const error = { message: 'unexpected status 401 Unauthorized: Incorrect API key provided', codexErrorInfo: 'unauthorized', additionalDetails: null };
    const { events } = await runRecording({ stdout: [...HANDSHAKE, note('error', { error, willRetry: false }), turnCompleted('failed', error)] });
    assert.deepEqual(finalDone(events), { type: 'done', status: 'failed', error: error.message, failure: { kind: 'auth' }, exitCode: 0 });
  });

  it('fails when codex refuses to initialize, and when it interrupts a turn nobody asked to stop', async () => {
    const refused = await runRecording({ stdout: [JSON.stringify({ id: 1, error: { code: -32600, message: 'Already initialized' } })] });
    assert.deepEqual(finalDone(refused.events), { type: 'done', status: 'failed', error: 'codex app-server refused to initialize: Already initialized', exitCode: 0 });

    const interrupted = await runRecording({ stdout: [...HANDSHAKE, turnCompleted('interrupted')] });
    assert.equal(finalDone(interrupted.events).error, 'Codex interrupted the turn.');
  });

  it('goes on when account/read fails, and skips the login check when a key reaches codex', async () => {
    const unread = await runRecording({ stdout: [result(1, {}), JSON.stringify({ id: 2, error: { code: -32601, message: 'unknown method' } }), ...HANDSHAKE.slice(2), turnCompleted('completed')] });
    assert.ok(unread.events.some((event) => event.type === 'log' && event.text === 'codex could not say which account it uses (unknown method); going on'));
    assert.equal(finalDone(unread.events).status, 'succeeded');

    const loggedOut = [result(1, {}), result(2, { account: null, requiresOpenaiAuth: true }), ...HANDSHAKE.slice(2), turnCompleted('completed')];
    assert.equal(finalDone((await runRecording({ stdout: loggedOut }, { apiKey: 'sk-test' })).events).status, 'succeeded');
    assert.deepEqual(finalDone((await runRecording({ stdout: loggedOut })).events).failure, { kind: 'auth' });
  });
});
