import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { ReplayPacer, type PacerClock } from '../src/orchestrator/replay-pacer.ts';
import { readSse, type SseEvent } from './support/sse-client.ts';
import { startServerWithProject, startTestServer, type ServerWithProject } from './support/test-server.ts';

/** The capped pauses between consecutive entries, in the original time. */
function cappedGaps(entries: { ts: string }[], maxGapMs: number): number[] {
  return entries.slice(1).map((entry, i) => Math.min(Math.max(Date.parse(entry.ts) - Date.parse(entries[i]!.ts), 0), maxGapMs));
}

describe('session replay: pacing', () => {
  /** A clock that moves only when the pacer sleeps, so due times are exact. */
  function fakeClock(): PacerClock & { sleeps: number[] } {
    let now = 1_000;
    const sleeps: number[] = [];
    return {
      sleeps,
      now: () => now,
      async sleep(ms) {
        sleeps.push(ms);
        now += ms;
      },
    };
  }
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  const signal = new AbortController().signal;

  it('keeps the pauses between entries, divided by the speed, each capped at maxGapMs', async () => {
    const clock = fakeClock();
    const pacer = new ReplayPacer({ speed: 10, maxGapMs: 5_000 }, clock);
    // 1 s, 0, 20 minutes (capped to 5 s), 300 ms.
    for (const ms of [0, 1_000, 1_000, 1_201_000, 1_201_300]) await pacer.waitFor(at(ms), signal);
    assert.deepEqual(clock.sleeps, [100, 500, 30]);
  });

  it('goes on at its pace from where a slow reader is, rather than in a burst', async () => {
    const clock = fakeClock();
    const pacer = new ReplayPacer({ speed: 1, maxGapMs: 60_000 }, clock);
    await pacer.waitFor(at(0), signal);
    await pacer.waitFor(at(100), signal);
    clock.sleeps.length = 0;
    // The reader stalls 2 s (back-pressure) while the next entry was due 100 ms later.
    await clock.sleep(2_000, signal);
    await pacer.waitFor(at(200), signal);
    await pacer.waitFor(at(700), signal);
    assert.deepEqual(clock.sleeps, [2_000, 500], 'the entry after the stall keeps its 500 ms pause');
  });
});

describe('session replay', function () {
  this.timeout(120_000);
  let setup: ServerWithProject;
  let attemptId: string;
  let page: any[];

  const url = (path: string) => `${setup.server.url}/api/v1${path}`;
  const entriesOf = (events: SseEvent[]) => events.filter((e) => e.event === 'entry');

  before(async () => {
    setup = await startServerWithProject();
    const { server, projectId } = setup;
    const task = (await server.request('POST', '/tasks', { projectId, title: 'replayed' })).body;
    // The fake agent pauses 200 ms before each message: a log with known gaps.
    const started = await server.request('POST', `/tasks/${task.id}/attempts`, { executor: 'fake-agent', options: { delayMs: 200 } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    attemptId = started.body.id;
    const finished = await server.waitForAttempt(attemptId, 60_000);
    assert.equal(finished.state, 'succeeded', JSON.stringify(finished.error));
    page = (await server.request('GET', `/attempts/${attemptId}/logs?limit=1000`)).body.items;
    assert.ok(page.length >= 8, `the agent logged a session (${page.length} entries)`);
  });

  after(async () => {
    await setup?.close();
  });

  it('replays at speed 10 in order, each entry no sooner than its original offset divided by the speed', async () => {
    const gaps = cappedGaps(page, 5_000);
    const offsets = gaps.reduce<number[]>((sums, gap) => [...sums, sums.at(-1)! + gap], [0]);
    assert.ok(offsets.at(-1)! >= 1_000, `the log has pauses to replay (${offsets.at(-1)} ms)`);
    const started = performance.now();
    const arrivals: number[] = [];
    const events = await readSse(url(`/attempts/${attemptId}/logs/replay?speed=10`), {
      until: (seen) => {
        while (arrivals.length < seen.length) arrivals.push(performance.now() - started);
        return seen.at(-1)?.event === 'end';
      },
      timeoutMs: 30_000,
    });
    assert.equal(events.at(-1)?.event, 'end');
    const entries = entriesOf(events);
    assert.deepEqual(
      entries.map((e) => Number(e.id)),
      page.map((e) => e.seq),
      'every entry, in order',
    );
    assert.deepEqual(
      entries.map((e) => e.data),
      page,
    );
    // A lower bound only: the pacer holds each entry until its offset / speed; a busy machine is later, never sooner.
    const slackMs = 15;
    for (const [i, offset] of offsets.entries()) {
      assert.ok(arrivals[i]! >= offset / 10 - slackMs, `entry ${i + 1} came ${arrivals[i]!.toFixed(1)} ms in, before its offset ${offset} ms / 10`);
    }
  });

  it('replays all at once with speed=max: the same entries as the log page, then end', async () => {
    const events = await readSse(url(`/attempts/${attemptId}/logs/replay?speed=max`), { until: (seen) => seen.at(-1)?.event === 'end' });
    assert.deepEqual(
      events.map((e) => e.event),
      [...page.map(() => 'entry'), 'end'],
    );
    assert.deepEqual(
      entriesOf(events).map((e) => e.data),
      page,
    );
    assert.deepEqual(events.at(-1)!.data, { attemptId });
  });

  it('carries the live stream’s events: a finished attempt’s live stream sends the same entries and end', async () => {
    const live = await readSse(url(`/attempts/${attemptId}/logs/stream`), { until: (seen) => seen.at(-1)?.event === 'end' });
    const replayed = await readSse(url(`/attempts/${attemptId}/logs/replay?speed=max`), { until: (seen) => seen.at(-1)?.event === 'end' });
    assert.deepEqual(replayed, live);
  });

  it('resumes after Last-Event-ID, or after `after`, with neither a gap nor a repeat', async () => {
    const cut = page[Math.floor(page.length / 2)].seq as number;
    const resumed = await readSse(url(`/attempts/${attemptId}/logs/replay?speed=1000`), {
      lastEventId: String(cut),
      until: (seen) => seen.at(-1)?.event === 'end',
    });
    const rest = page.filter((e) => e.seq > cut);
    assert.deepEqual(
      entriesOf(resumed).map((e) => e.data),
      rest,
    );
    const after = await readSse(url(`/attempts/${attemptId}/logs/replay?speed=max&after=${cut}`), { until: (seen) => seen.at(-1)?.event === 'end' });
    assert.deepEqual(
      entriesOf(after).map((e) => e.data),
      rest,
    );
  });

  it('takes a Last-Event-ID too large to be a seq as no cursor: every id it sends is a seq of the log', async () => {
    for (const path of ['replay?speed=max', 'stream']) {
      const events = await readSse(url(`/attempts/${attemptId}/logs/${path}`), { lastEventId: '99999999999999999999999', until: (seen) => seen.at(-1)?.event === 'end' });
      assert.deepEqual(entriesOf(events).map((e) => e.data), page, path);
      for (const event of events) assert.match(String(event.id), /^\d+$/, `${path}: id ${event.id}`);
    }
  });

  it('exports the log as JSON lines that read back as the log page', async () => {
    const response = await fetch(url(`/attempts/${attemptId}/logs/export`));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    assert.equal(response.headers.get('content-disposition'), `attachment; filename="attempt-${attemptId}-log.jsonl"`);
    const text = await response.text();
    assert.ok(text.endsWith('\n'), 'every line ends with a newline');
    assert.deepEqual(
      text.trimEnd().split('\n').map((line) => JSON.parse(line)),
      page,
    );
  });

  it('refuses to replay an attempt that has not finished, pointing to the live stream (409)', async () => {
    const { server, projectId } = setup;
    const task = (await server.request('POST', '/tasks', { projectId, title: 'still running' })).body;
    const running = (await server.request('POST', `/tasks/${task.id}/attempts`, { executor: 'fake-agent', options: { scenario: 'hang' } })).body;
    try {
      await server.waitFor(async () => (await server.request('GET', `/attempts/${running.id}`)).body.state === 'running', 60_000);
      const refused = await server.request('GET', `/attempts/${running.id}/logs/replay`);
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, 'FORGE_CONFLICT');
      assert.match(refused.body.error.message, /running/);
      assert.ok(refused.body.error.message.includes(`/attempts/${running.id}/logs/stream`), refused.body.error.message);
    } finally {
      await server.request('POST', `/attempts/${running.id}/stop`);
    }
  });

  it('answers 404 FORGE_FEATURE_DISABLED when the replay feature is off', async () => {
    const off = await startTestServer({ FORGE_FEATURES: 'replay=off' });
    try {
      for (const path of [`/attempts/${attemptId}/logs/replay`, `/attempts/${attemptId}/logs/export`]) {
        const refused = await off.request('GET', path);
        assert.equal(refused.status, 404, JSON.stringify(refused.body));
        assert.equal(refused.body.error.code, 'FORGE_FEATURE_DISABLED');
        assert.match(refused.body.error.message, /replay=on/);
      }
    } finally {
      await off.close();
    }
  });
});
