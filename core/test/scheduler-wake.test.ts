import assert from 'node:assert/strict';
import { mock } from 'node:test';
import type { Logger } from 'pino';
import type { AttemptLifecycle } from '../src/lifecycle/attempt-lifecycle.ts';
import type { AttemptRunner } from '../src/orchestrator/attempt-runner.ts';
import type { ConcurrencyLimits } from '../src/orchestrator/concurrency-limits.ts';
import { QUIET_MS, Scheduler } from '../src/orchestrator/scheduler.ts';
import type { Attempt } from '../src/store/attempt-store.ts';
import type { Stores } from '../src/store/stores.ts';

type Queued = Attempt & { projectId: string };

/**
 * A scheduler over an in-memory queue, its clock and timers frozen (node:test's mock timers), so
 * what starts an attempt is seen by counting passes and claims, never by measuring time: a pass
 * that waits for a timer does not happen until the test moves the clock.
 */
function frozenScheduler() {
  const queue = new Map<string, Queued>();
  const claimed: string[] = [];
  let passes = 0;
  let hold: Promise<void> | null = null;
  const stores = {
    attempts: {
      async listQueued() {
        passes++;
        // What a pass sees is the queue when it asked, as a database read would be.
        const seen = [...queue.values()];
        if (hold) await hold;
        return seen;
      },
      async queueByExecutor() {
        return [];
      },
      async renewLeases() {},
    },
    projects: {
      async get() {
        return { maxConcurrentAttempts: null };
      },
    },
  } as unknown as Stores;
  const lifecycle = {
    async claim(id: string) {
      const attempt = queue.get(id);
      queue.delete(id);
      if (attempt) claimed.push(id);
      return attempt;
    },
  } as unknown as AttemptLifecycle;
  // Each run lasts until the scheduler stops it, so no run ending wakes the scheduler meanwhile.
  const runner = {
    run: (_attempt: Attempt, signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())),
  } as unknown as AttemptRunner;
  const limits = { global: { max: null }, forExecutor: () => ({ max: null }) } as unknown as ConcurrencyLimits;
  const logger = { error() {}, warn() {}, info() {} } as unknown as Logger;
  const scheduler = new Scheduler(stores, lifecycle, runner, limits, { nodeId: 'node-a', tickIntervalMs: 3_600_000 }, logger);
  return {
    scheduler,
    claimed,
    passes: () => passes,
    enqueue(id: string) {
      queue.set(id, { id, projectId: 'project-a', executor: { id: 'fake-agent' } } as unknown as Queued);
    },
    holdPasses() {
      let release!: () => void;
      hold = new Promise<void>((resolve) => (release = resolve));
      return () => {
        hold = null;
        release();
      };
    },
  };
}

/** Lets every promise and immediate that is ready run (the timers stay frozen). */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
}

describe('scheduler wake-ups', () => {
  let harness: ReturnType<typeof frozenScheduler>;

  beforeEach(async () => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 });
    harness = frozenScheduler();
    harness.scheduler.start();
    // The start's own pass has just ended; the clock does not move on.
    await settle();
  });

  afterEach(async () => {
    mock.timers.reset();
    await harness.scheduler.shutdown();
  });

  it('claims a lone start at once, without waiting for a timer', async () => {
    const before = harness.passes();
    harness.enqueue('attempt-1');
    harness.scheduler.wake();
    await settle();
    assert.deepEqual(harness.claimed, ['attempt-1']);
    assert.equal(harness.passes(), before + 1);
  });

  it('claims at once a start that comes right after another pass, such as the one an ending attempt sets off', async () => {
    harness.enqueue('attempt-1');
    harness.scheduler.wake();
    await settle();
    harness.enqueue('attempt-2');
    harness.scheduler.wake();
    await settle();
    assert.deepEqual(harness.claimed, ['attempt-1', 'attempt-2']);
  });

  it('claims starts that arrive together in one pass once they are quiet, not the first of them at once', async () => {
    const before = harness.passes();
    for (let i = 0; i < 50; i++) {
      harness.enqueue(`attempt-${i}`);
      harness.scheduler.wake();
    }
    await settle();
    assert.deepEqual(harness.claimed, [], 'nothing claimed while the burst may go on');
    assert.equal(harness.passes(), before);
    mock.timers.tick(QUIET_MS);
    await settle();
    assert.equal(harness.claimed.length, 50);
    assert.equal(harness.passes(), before + 1);
  });

  it('gathers the starts that arrive while a pass runs into one more pass, once they are quiet', async () => {
    const release = harness.holdPasses();
    harness.enqueue('attempt-0');
    harness.scheduler.wake();
    await settle();
    const first = harness.passes();
    for (let i = 1; i < 50; i++) {
      harness.enqueue(`attempt-${i}`);
      harness.scheduler.wake();
    }
    release();
    await settle();
    assert.deepEqual(harness.claimed, ['attempt-0'], 'the first pass claims what it saw');
    assert.equal(harness.passes(), first, 'no second pass before the quiet period');
    // More wake-ups within the quiet period push the pass further, still one pass.
    harness.scheduler.wake();
    mock.timers.tick(QUIET_MS - 1);
    await settle();
    assert.equal(harness.passes(), first);
    mock.timers.tick(1);
    await settle();
    assert.equal(harness.passes(), first + 1, 'one pass for the rest of the burst');
    assert.equal(harness.claimed.length, 50);
  });
});
