import assert from 'node:assert/strict';
import type { ExecutorEvent } from '@forge-core/sdk';
import { collectEvents, createFakeRunContext, eventsOfType, FakeProcess, finalDone, type FakeRunContext, type FakeRunContextOptions } from '@forge-core/sdk/testing';
import { claudeCode } from '../src/index.ts';
import { runClaudeSession } from '../src/run-claude-session.ts';
import { DEFAULT_OPTIONS } from './support/options.ts';

const SESSION = '3a4b5c6d-7e8f-4a9b-8c0d-1e2f3a4b5c6d';
const CWD = '/srv/forge/worktrees/task-9';
const line = (message: unknown) => JSON.stringify(message);
const init = line({ type: 'system', subtype: 'init', cwd: CWD, session_id: SESSION, model: 'claude-sonnet-4-5', permissionMode: 'default', apiKeySource: 'ANTHROPIC_API_KEY' });
const BASH_INPUT = { command: 'npm test', description: 'Run the tests' };
const toolUse = line({ type: 'assistant', message: { id: 'msg_1', role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: BASH_INPUT }] }, parent_tool_use_id: null, session_id: SESSION });
const canUseBash = line({
  type: 'control_request',
  request_id: 'req-1',
  request: { subtype: 'can_use_tool', tool_name: 'Bash', input: BASH_INPUT, permission_suggestions: [{ type: 'addRules', rules: [{ toolName: 'Bash', ruleContent: 'npm test:*' }], behavior: 'allow', destination: 'localSettings' }], tool_use_id: 'toolu_1' },
});
const toolResult = line({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok', is_error: false }] }, parent_tool_use_id: null, session_id: SESSION });
const result = line({ type: 'result', subtype: 'success', is_error: false, result: 'Tests pass.', session_id: SESSION, total_cost_usd: 0.01, usage: { input_tokens: 1, output_tokens: 2 } });

function fakeContext(stdout: string[], options: Omit<FakeRunContextOptions, 'recording'> = {}): FakeRunContext {
  return createFakeRunContext({ recording: { stdout }, worktreePath: CWD, config: { command: 'claude' }, ...options });
}

async function run(ctx: FakeRunContext, onEvent?: (event: ExecutorEvent) => void) {
  const events = await collectEvents(claudeCode.run({ attemptId: 'att_1', prompt: 'Run the tests.', options: DEFAULT_OPTIONS }, ctx), onEvent);
  const [spawned] = ctx.spawned;
  assert.ok(spawned !== undefined && spawned.process instanceof FakeProcess);
  return { events, written: spawned.written.map((text) => JSON.parse(text) as Record<string, unknown>), process: spawned.process };
}

/** The `response` of the control_response written for a request. */
function answerTo(written: readonly Record<string, unknown>[], requestId: string): unknown {
  const answer = written.find((message) => message['type'] === 'control_response' && (message['response'] as Record<string, unknown>)['request_id'] === requestId);
  return answer?.['response'];
}

describe('the Claude control protocol', () => {
  describe('approvals', () => {
    it("asks the host about can_use_tool, describing the call, and allows it with Claude's input unchanged", async () => {
      const ctx = fakeContext([init, toolUse, canUseBash, toolResult, result], { approvals: [{ outcome: 'approved' }] });
      const { events, written } = await run(ctx);
      assert.deepEqual(ctx.approvals.map(({ request }) => request), [{ tool: 'Bash', input: BASH_INPUT, callId: 'toolu_1', summary: 'npm test' }]);
      assert.deepEqual(answerTo(written, 'req-1'), { subtype: 'success', request_id: 'req-1', response: { behavior: 'allow', updatedInput: BASH_INPUT } });
      assert.equal(finalDone(events).status, 'succeeded');
    });

    it('answers an "always" like a "once", leaving the later requests to the host\'s rule and writing no permissions for Claude', async () => {
      const ctx = fakeContext([init, toolUse, canUseBash, toolResult, result], { approvals: [{ outcome: 'approved', scope: 'always' }] });
      const { written } = await run(ctx);
      assert.deepEqual(answerTo(written, 'req-1'), { subtype: 'success', request_id: 'req-1', response: { behavior: 'allow', updatedInput: BASH_INPUT } });
    });

    it("denies with the decider's reason, which Claude hands to the model", async () => {
      const ctx = fakeContext([init, toolUse, canUseBash, toolResult, result], { approvals: [{ outcome: 'denied', scope: 'always', reason: 'No tests on Fridays.' }] });
      const { written } = await run(ctx);
      assert.deepEqual(answerTo(written, 'req-1'), { subtype: 'success', request_id: 'req-1', response: { behavior: 'deny', message: 'No tests on Fridays.' } });
    });

    it('denies in words of its own when the decision gives no reason', async () => {
      const ctx = { ...fakeContext([init, toolUse, canUseBash, toolResult, result]), requestApproval: async () => ({ outcome: 'denied', scope: 'once', by: 'timeout' }) as const };
      const { written } = await run(ctx);
      assert.deepEqual(answerTo(written, 'req-1'), {
        subtype: 'success',
        request_id: 'req-1',
        response: { behavior: 'deny', message: 'Nobody answered the approval request in Forge in time, so the tool call was denied.' },
      });
    });

    it('refuses a control request it does not handle with an error, so Claude is not left waiting', async () => {
      const hook = line({ type: 'control_request', request_id: 'req-9', request: { subtype: 'hook_callback', callback_id: 'cb', input: {} } });
      const ctx = fakeContext([init, hook, result]);
      const { events, written } = await run(ctx);
      assert.deepEqual(answerTo(written, 'req-9'), { subtype: 'error', request_id: 'req-9', error: 'Forge does not handle hook_callback control requests' });
      assert.deepEqual(eventsOfType(events, 'log').map(({ level, text }) => [level, text]), [['warn', 'claude sent a hook_callback control request, which Forge does not handle; it was answered with an error']]);
      assert.deepEqual(ctx.approvals, []);
      assert.equal(finalDone(events).status, 'succeeded');
    });
  });

  describe('input', () => {
    it('writes the prompt as one stream-json user message and closes the input after the result', async () => {
      const { written, process } = await run(fakeContext([init, result]));
      assert.deepEqual(written, [{ type: 'user', message: { role: 'user', content: [{ type: 'text', text: 'Run the tests.' }] } }]);
      assert.equal(process.inputClosed, true);
    });

    it('keeps the input open while claude has not reported its result', async () => {
      // A claude that dies mid-turn: one that lived on would wait for its input to close, as the real one does.
      const ctx = createFakeRunContext({ recording: { stdout: [init, toolUse], exitCode: 1 }, worktreePath: CWD, config: { command: 'claude' } });
      let openAtToolCall: boolean | undefined;
      await run(ctx, (event) => {
        if (event.type === 'tool_call') openAtToolCall = !(ctx.spawned[0]?.process as FakeProcess).inputClosed;
      });
      assert.equal(openAtToolCall, true);
    });
  });

  describe('stop', () => {
    it('sends an interrupt and closes the input when stopped, then yields only a cancelled done', async () => {
      // The context's own processes follow its own signal; stopping this one leaves the process
      // alive, as a host that has not killed it yet: the interrupt must reach it.
      const stopped = new AbortController();
      const stoppedCtx = fakeContext([init, toolUse, canUseBash, toolResult, result]);
      const interrupted = await collectEvents(claudeCode.run({ attemptId: 'att_1', prompt: 'Run the tests.', options: DEFAULT_OPTIONS }, { ...stoppedCtx, signal: stopped.signal }), (event) => {
        if (event.type === 'session') stopped.abort();
      });
      const child = stoppedCtx.spawned[0]?.process as FakeProcess;
      assert.deepEqual(interrupted.map((event) => event.type), ['session', 'done']);
      assert.equal(finalDone(interrupted).status, 'cancelled');
      const requests = child.written.map((text) => JSON.parse(text) as Record<string, unknown>).filter((message) => message['type'] === 'control_request');
      assert.equal(requests.length, 1);
      assert.deepEqual(requests[0]?.['request'], { subtype: 'interrupt' });
      assert.match(String(requests[0]?.['request_id']), /^forge-interrupt-/);
      assert.equal(child.inputClosed, true);
      assert.deepEqual(stoppedCtx.approvals, []);
    });

    it('answers nothing once stopped while an approval was pending', async () => {
      const ctx = fakeContext([init, toolUse, canUseBash, toolResult, result]);
      const stopped = new AbortController();
      const stopWhileAsking = {
        ...ctx,
        signal: stopped.signal,
        requestApproval: async () => {
          stopped.abort();
          return { outcome: 'denied', scope: 'once', by: 'cancelled' } as const;
        },
      };
      const events = await collectEvents(claudeCode.run({ attemptId: 'att_1', prompt: 'Run the tests.', options: DEFAULT_OPTIONS }, stopWhileAsking));
      const written = (ctx.spawned[0]?.process as FakeProcess).written.map((text) => JSON.parse(text) as Record<string, unknown>);
      assert.deepEqual(written.map((message) => message['type']), ['user', 'control_request']);
      assert.equal(finalDone(events).status, 'cancelled');
      assert.deepEqual(events.map((event) => event.type), ['session', 'tool_call', 'done']);
    });
  });

  describe('a one-shot run (the prompt as plain stdin, as fake-agent runs)', () => {
    it('reads the output only: a control request is logged, never answered', async () => {
      const ctx = fakeContext([init, canUseBash, result]);
      const events = await collectEvents(runClaudeSession({ command: 'claude', args: ['-p'], spawnOptions: { stdin: 'Run the tests.' } }, ctx));
      assert.deepEqual(ctx.approvals, []);
      assert.deepEqual(eventsOfType(events, 'log').map(({ text }) => text), ['claude sent a can_use_tool control request, but its input is not open to answer it']);
      assert.equal(finalDone(events).status, 'succeeded');
    });
  });
});
