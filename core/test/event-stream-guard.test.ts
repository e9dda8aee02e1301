import assert from 'node:assert/strict';
import type { ExecutorEvent } from '@forge-core/sdk';
import { consumeEventStream, type GuardedRun } from '../src/plugins/event-stream-guard.ts';

const site = { plugin: 'forge-test-pack', contribution: 'guarded', hook: 'run' };

function guarded(overrides: Partial<GuardedRun> = {}): GuardedRun {
  return { site, signal: new AbortController().signal, limits: { abortGraceMs: 10_000, idleMs: 10_000 }, hasLiveProcess: () => false, ...overrides };
}

describe('consumeEventStream', () => {
  it('lets the event loop in while a pack yields a flood of ready events', async () => {
    const total = 5_000;
    async function* flood(): AsyncGenerator<ExecutorEvent> {
      for (let i = 0; i < total; i++) yield { type: 'log', level: 'info', text: String(i) };
      yield { type: 'done', status: 'succeeded' };
    }
    let handled = 0;
    let handledWhenTheLoopGotIn: number | null = null;
    setImmediate(() => (handledWhenTheLoopGotIn = handled));
    const outcome = await consumeEventStream(flood, guarded(), () => void handled++);
    assert.equal(outcome.done?.status, 'succeeded');
    assert.equal(handled, total + 1);
    assert.ok(handledWhenTheLoopGotIn !== null && handledWhenTheLoopGotIn < total, `the loop got in only after ${handledWhenTheLoopGotIn} events`);
  });

  it('leaves a silent stream behind, and a later rejection of its pending pull is handled', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      let failLate!: () => void;
      const lateFailure = new Promise<void>((resolve) => (failLate = resolve));
      let thrown!: () => void;
      const hasThrown = new Promise<void>((resolve) => (thrown = resolve));
      async function* stalls(): AsyncGenerator<ExecutorEvent> {
        yield { type: 'message', role: 'assistant', text: 'working' };
        await lateFailure;
        setImmediate(thrown);
        throw new Error('failed long after anyone listened');
      }
      const outcome = await consumeEventStream(stalls, guarded({ limits: { abortGraceMs: 10_000, idleMs: 40 } }), () => {});
      assert.equal(outcome.violation?.code, 'FORGE_PLUGIN_HOOK_TIMEOUT');
      assert.match(outcome.violation!.message, /forge-test-pack guarded\.run\(\) yielded nothing for 40 ms/);
      // Only now, with nobody listening, does the pending pull reject. Node reports an unhandled
      // rejection once the microtasks after it have run, so a turn of the event loop later it
      // would have been seen.
      failLate();
      await hasThrown;
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it('stops waiting for a stream that ignores the stop, and calls the run cancelled, not broken', async () => {
    const controller = new AbortController();
    async function* ignoresStop(): AsyncGenerator<ExecutorEvent> {
      yield { type: 'message', role: 'assistant', text: 'started' };
      controller.abort();
      await new Promise(() => {});
    }
    // A process "runs" the whole time, so only the stop can end the wait.
    const outcome = await consumeEventStream(ignoresStop, guarded({ signal: controller.signal, limits: { abortGraceMs: 50, idleMs: 10_000 }, hasLiveProcess: () => true }), () => {});
    assert.deepEqual(outcome, { done: null, violation: null });
  });

  it('stops at the first done and ends the generator, so its finally blocks run', async () => {
    let cleanedUp = false;
    async function* doneThenMore(): AsyncGenerator<ExecutorEvent> {
      try {
        yield { type: 'done', status: 'succeeded' };
        yield { type: 'message', role: 'assistant', text: 'after done' };
      } finally {
        cleanedUp = true;
      }
    }
    const seen: string[] = [];
    const outcome = await consumeEventStream(doneThenMore, guarded(), (event) => void seen.push(event.type));
    assert.deepEqual(seen, ['done']);
    assert.equal(outcome.done?.status, 'succeeded');
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(cleanedUp);
  });

  it('turns a run() that returns no stream at all into the pack’s failure', async () => {
    const outcome = await consumeEventStream(() => 42, guarded(), () => {});
    assert.equal(outcome.violation?.code, 'FORGE_PLUGIN_HOOK_FAILED');
    assert.match(outcome.violation!.message, /must return an async iterable \(write it as async function\*\), returned number 42/);
  });
});
