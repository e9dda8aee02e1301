import assert from 'node:assert/strict';
import type { ForgeEvent } from '../src/events/event-log.ts';
import { nextRetryAt } from '../src/orchestrator/retry-policy.ts';
import { delayUntil } from '../src/runtime/timer-delay.ts';
import { startServerWithProject, startTestServer, type ServerWithProject } from './support/test-server.ts';

const FINISHED = ['succeeded', 'failed', 'cancelled'];

/** Every attempt.updated event stored so far, oldest first: the event log is what is sampled, not timing. */
async function attemptEvents(setup: ServerWithProject): Promise<Array<ForgeEvent & { data: any }>> {
  const events = await setup.server.forge.events.readAfter('0', 1_000_000);
  assert.ok(Array.isArray(events), 'the log still holds every event');
  return events.filter((event) => event.type === 'attempt.updated') as Array<ForgeEvent & { data: any }>;
}

/** The most attempts running at once, replaying the log: claimed (preparing) until a final state. */
function mostAtOnce(events: Array<{ subject: string; data: any }>, which: (data: any) => boolean = () => true): number {
  const live = new Set<string>();
  let most = 0;
  for (const { subject, data } of events) {
    if (!which(data)) continue;
    if (data.state === 'preparing') live.add(subject);
    else if (FINISHED.includes(data.state) || data.state === 'queued') live.delete(subject);
    most = Math.max(most, live.size);
  }
  return most;
}

/** The times an attempt was claimed: its moves into preparing (a later write in preparing is no claim). */
function claimTimes(events: Array<{ subject: string; ts: string; data: any }>, id: string): number[] {
  const times: number[] = [];
  let state = '';
  for (const event of events.filter((candidate) => candidate.subject === id)) {
    if (event.data.state === 'preparing' && state !== 'preparing') times.push(Date.parse(event.ts));
    state = event.data.state;
  }
  return times;
}

/** The attempts in the order they were claimed, first claims only. */
function claimOrder(events: Array<{ subject: string; data: any }>): string[] {
  const order: string[] = [];
  for (const { subject, data } of events) if (data.state === 'preparing' && !order.includes(subject)) order.push(subject);
  return order;
}

describe('caps on running attempts, the fair queue and rate-limit retries', () => {
  let setup: ServerWithProject;

  async function start(options: { priority?: number; executor?: string; options?: Record<string, unknown>; projectId?: string } = {}): Promise<string> {
    const task = await setup.server.request('POST', '/tasks', { projectId: options.projectId ?? setup.projectId, title: 'work', priority: options.priority ?? 0 });
    assert.equal(task.status, 201, JSON.stringify(task.body));
    const attempt = await setup.server.request('POST', `/tasks/${task.body.id}/attempts`, {
      executor: options.executor ?? 'fake-agent',
      options: options.options ?? { delayMs: 20 },
    });
    assert.equal(attempt.status, 202, JSON.stringify(attempt.body));
    return attempt.body.id;
  }

  afterEach(async () => {
    await setup?.close();
  });

  it('with a global cap of 3 runs 20 attempts never more than 3 at once, highest priority first, all to the end', async () => {
    setup = await startServerWithProject({ env: { FORGE_MAX_CONCURRENT_ATTEMPTS: '3' } });
    // One slot held by a hanging attempt while all 20 queue, so their start order is the queue's alone.
    assert.equal((await setup.server.request('PATCH', '/queue', { maxConcurrentAttempts: 1 })).status, 200);
    const blocker = await start({ options: { scenario: 'hang' } });
    await setup.server.waitFor(async () => (await setup.server.request('GET', `/attempts/${blocker}`)).body.state === 'running');
    const priorities = [0, 5, -2, 9, 5, 0, 1, 9, -2, 3, 7, 0, 5, 2, 8, 1, 0, 6, 4, 9];
    const ids: string[] = [];
    for (const priority of priorities) ids.push(await start({ priority }));
    const expected = ids.map((id, index) => ({ id, priority: priorities[index]!, index })).sort((a, b) => b.priority - a.priority || a.index - b.index).map((entry) => entry.id);
    const queue = (await setup.server.request('GET', '/queue')).body;
    assert.equal(queue.queued, 20);
    assert.deepEqual({ max: queue.maxConcurrentAttempts, source: queue.source, running: queue.running }, { max: 1, source: 'api', running: 1 });
    assert.equal((await setup.server.request('GET', `/attempts/${expected[0]}`)).body.queuePosition, 1);

    const restored = await setup.server.request('PATCH', '/queue', { maxConcurrentAttempts: null });
    assert.deepEqual({ max: restored.body.maxConcurrentAttempts, source: restored.body.source }, { max: 3, source: 'config' }, 'null gives the cap back to the configuration');
    assert.equal((await setup.server.request('POST', `/attempts/${blocker}/stop`)).status < 300, true);
    const finished = await Promise.all(ids.map((id) => setup.server.waitForAttempt(id, 120_000)));
    assert.deepEqual(finished.map((attempt) => attempt.state), ids.map(() => 'succeeded'), 'all 20 finish');

    const events = await attemptEvents(setup);
    assert.equal(mostAtOnce(events), 3, 'never more than 3 at once, and 3 were reached');
    assert.deepEqual(claimOrder(events).filter((id) => ids.includes(id)), expected, 'claimed by priority, then first queued');
  });

  it('changes per-executor caps at run time, keeps them across a restart, and refuses an executor that is not installed', async () => {
    setup = await startServerWithProject({ env: { FORGE_MAX_CONCURRENT_ATTEMPTS: '10' } });
    const patched = await setup.server.request('PATCH', '/queue', { executors: { 'fake-agent': 2 } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const fake = patched.body.executors.find((executor: any) => executor.id === 'fake-agent');
    assert.deepEqual({ max: fake.maxConcurrentAttempts, source: fake.source }, { max: 2, source: 'api' });
    const ids = await Promise.all(Array.from({ length: 6 }, () => start()));
    const scripts = await Promise.all(Array.from({ length: 3 }, () => start({ executor: 'script', options: { command: 'sleep 0.2' } })));
    await Promise.all([...ids, ...scripts].map((id) => setup.server.waitForAttempt(id, 60_000)));
    const events = await attemptEvents(setup);
    const byExecutor = (id: string) => (data: any) => data.executor.id === id;
    assert.equal(mostAtOnce(events, byExecutor('fake-agent')), 2, 'the executor cap holds');
    assert.ok(mostAtOnce(events) > 2, 'other executors are not held by it');

    const unknown = await setup.server.request('PATCH', '/queue', { executors: { 'no-such-agent': 1 } });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.error.code, 'FORGE_EXECUTOR_NOT_FOUND');
    assert.match(unknown.body.error.message, /no-such-agent/);
    for (const body of [{}, { maxConcurrentAttempts: 0 }, { executors: { 'fake-agent': 'two' } }, { maxConcurrentAttempts: 2, other: 1 }]) {
      const refused = await setup.server.request('PATCH', '/queue', body);
      assert.equal(refused.status, 400, JSON.stringify(body));
      assert.equal(refused.body.error.code, 'FORGE_VALIDATION_FAILED');
    }

    // Same database, a new server: the cap set through the API is still there.
    const home = setup.server.home;
    await setup.server.stop();
    const again = await startTestServer({ FORGE_HOME: home, FORGE_MAX_CONCURRENT_ATTEMPTS: '10' });
    try {
      const queue = (await again.request('GET', '/queue')).body;
      const kept = queue.executors.find((executor: any) => executor.id === 'fake-agent');
      assert.deepEqual({ max: kept.maxConcurrentAttempts, source: kept.source }, { max: 2, source: 'api' });
    } finally {
      await again.stop();
    }
  });

  it('queues a rate-limited attempt again after its retry-after, holding its executor meanwhile, and it then succeeds', async () => {
    setup = await startServerWithProject({ env: { FORGE_MAX_CONCURRENT_ATTEMPTS: '5' } });
    const limited = await start({ options: { scenario: 'rate-limit', rateLimitedRuns: 1, rateLimitResetMs: 1500 } });
    const waiting = await setup.server.waitFor(async () => {
      const attempt = (await setup.server.request('GET', `/attempts/${limited}`)).body;
      return attempt.state === 'queued' && attempt.retries === 1 ? attempt : undefined;
    });
    assert.equal(waiting.error.code, 'FORGE_AGENT_RATE_LIMITED');
    const retryAt = Date.parse(waiting.error.retryAt);
    const held = (await setup.server.request('GET', '/queue')).body.executors.find((executor: any) => executor.id === 'fake-agent');
    assert.equal(held.pausedUntil, waiting.error.retryAt, "the executor's queue is held until the retry time");
    // Another attempt of the same executor waits too; one of another executor does not.
    const behind = await start();
    const other = await start({ executor: 'script', options: { command: 'true' } });

    const done = await setup.server.waitForAttempt(limited, 60_000);
    assert.equal(done.state, 'succeeded');
    assert.equal(done.retries, 1);
    assert.equal(done.error, null);
    assert.equal((await setup.server.waitForAttempt(behind, 60_000)).state, 'succeeded');
    assert.equal((await setup.server.waitForAttempt(other, 60_000)).state, 'succeeded');

    const events = await attemptEvents(setup);
    const claims = (id: string) => claimTimes(events, id);
    assert.equal(claims(limited).length, 2, 'ran twice');
    assert.ok(claims(limited)[1]! >= retryAt, 'not retried before the retry time');
    assert.ok(claims(behind)[0]! >= retryAt, 'its executor was held');
    assert.ok(claims(other)[0]! < retryAt, 'another executor was not');
    const requeued = events.find((event) => event.subject === limited && event.data.state === 'queued' && event.data.retries === 1);
    assert.ok(requeued, 'the requeue is in the event log');
    assert.equal(requeued.data.error.code, 'FORGE_AGENT_RATE_LIMITED');
  });

  it('fails the attempt once its retries are spent, and still holds its executor until the limit passes', async () => {
    setup = await startServerWithProject({ env: { FORGE_AGENT_RETRY_MAX_ATTEMPTS: '1' } });
    const limited = await start({ options: { scenario: 'rate-limit', rateLimitedRuns: 5, rateLimitResetMs: 1500 } });
    const done = await setup.server.waitForAttempt(limited, 60_000);
    assert.equal(done.state, 'failed');
    assert.equal(done.error.code, 'FORGE_AGENT_RATE_LIMITED');
    assert.equal(done.retries, 1);
    const behind = await start();
    await setup.server.waitForAttempt(behind, 60_000);
    const events = await attemptEvents(setup);
    assert.ok(claimTimes(events, behind)[0]! >= Date.parse(done.error.retryAt), 'the next attempt of the executor waited for the limit the failed one met');
  });
});

describe('the retry wait', () => {
  const policy = { maxRetries: 3, baseMs: 1000, maxMs: 5000 };
  const limited = { code: 'FORGE_AGENT_RATE_LIMITED', message: 'slow down' };
  const at = (iso: string | null) => Date.parse(iso!) - 1_000_000;

  it('doubles from the base, capped, with jitter that only adds up to a fifth', () => {
    assert.equal(at(nextRetryAt(policy, limited, 0, 1_000_000, () => 0)), 1000);
    assert.equal(at(nextRetryAt(policy, limited, 1, 1_000_000, () => 0)), 2000);
    assert.equal(at(nextRetryAt(policy, limited, 2, 1_000_000, () => 0)), 4000);
    assert.equal(at(nextRetryAt({ ...policy, maxRetries: 9 }, limited, 5, 1_000_000, () => 0)), 5000, 'capped');
    assert.equal(at(nextRetryAt(policy, limited, 1, 1_000_000, () => 0.999999)), 2400 - 1, 'at most a fifth more');
  });

  it("waits at least the agent's retry-after, however large", () => {
    const given = { ...limited, retryAt: new Date(1_000_000 + 3_600_000).toISOString() };
    assert.equal(at(nextRetryAt(policy, given, 0, 1_000_000, () => 0)), 3_600_000);
    assert.equal(at(nextRetryAt(policy, given, 0, 1_000_000, () => 1)), 3_660_000, 'jitter never over a minute');
  });

  it('sets its timer no further than Node can wait, however far the retry time is', () => {
    assert.equal(delayUntil(1_000 + 30 * 86_400_000, 1_000), 2 ** 31 - 1, 'a 30-day quota reset: woken after 24.8 days, to look again');
    assert.equal(delayUntil(500, 1_000), 0);
    assert.equal(delayUntil(1_500, 1_000), 500);
  });

  it('fails other errors, and a rate limit once the retries are spent', () => {
    assert.equal(nextRetryAt(policy, { code: 'FORGE_AGENT_FAILED', message: 'no' }, 0), null);
    assert.equal(nextRetryAt(policy, null, 0), null);
    assert.equal(nextRetryAt(policy, limited, 3), null);
    assert.notEqual(nextRetryAt(policy, { code: 'FORGE_AGENT_QUOTA_EXCEEDED', message: 'out of credit' }, 0), null);
  });
});
