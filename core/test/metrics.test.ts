import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ForgeEvent } from '../src/events/event-log.ts';
import { AttemptTimings } from '../src/observability/attempt-timings.ts';
import type { Attempt } from '../src/store/attempt-store.ts';
import { makeRepo } from './support/git-repo.ts';
import { callError, callOk, connectHttp } from './support/mcp-clients.ts';
import { parsePrometheusText, samplesOf, sumOf, type MetricFamily } from './support/prometheus-text.ts';
import { freePort, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { readSse, type SseEvent } from './support/sse-client.ts';
import { tempDir } from './support/temp-dir.ts';

const TOKEN = 'metrics-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Counted by the clients that made them, not by this test: the start-up health poll, and the
// MCP client's own requests (its handshake, its session end).
const ROUTES_NOT_COUNTED_HERE = new Set(['/api/v1/health', '/mcp']);

/** A request this test made, as the server should count and log it. */
interface Call {
  method: string;
  route: string;
  status: number;
  requestId: string;
}

type Families = Map<string, MetricFamily>;

/** Follows GET /api/v1/events from the start of the log until closed. */
function followEvents(url: string) {
  const controller = new AbortController();
  const events: SseEvent[] = [];
  let requestId = '';
  let markOpen!: () => void;
  const opening = new Promise<void>((resolve) => (markOpen = resolve));
  const reading = readSse(`${url}/api/v1/events`, {
    headers: AUTH,
    lastEventId: '0',
    events,
    signal: controller.signal,
    timeoutMs: 600_000,
    onOpen: (response) => {
      requestId = response.headers.get('x-request-id')!;
      markOpen();
    },
  });
  return {
    events,
    opened: Promise.race([opening, reading.then(() => Promise.reject(new Error('the event stream ended before it opened')))]),
    requestId: () => requestId,
    async close() {
      controller.abort();
      await reading;
    },
  };
}

/** Polls until `check` answers true; on the deadline, fails with what `explain` says of the last try. */
async function waitUntil<T>(attempt: () => Promise<T>, check: (value: T) => boolean, explain: (value: T) => string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (check(value)) return value;
    if (Date.now() > deadline) assert.fail(explain(value));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;
const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} against ${expected}`);

describe('GET /metrics after a scripted run', function () {
  this.timeout(120_000);
  let dirs: ReturnType<typeof tempDir>;
  let server: ServerProcess;
  const calls: Call[] = [];
  let sse: ReturnType<typeof followEvents>;
  let tasks: { id: string; scenario: string }[];
  let attempts: any[];
  let saneCall: Call;

  /** A REST call, recorded as it should be counted: `route` is its pattern, `params` fill it. */
  async function api(method: string, route: string, params: Record<string, string> = {}, body?: unknown, headers: Record<string, string> = {}) {
    const path = route.replace(/\{(\w+)\}/g, (_, name: string) => params[name]!);
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...AUTH, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const call = { method, route, status: response.status, requestId: response.headers.get('x-request-id')! };
    calls.push(call);
    return { ...call, body: text ? JSON.parse(text) : null };
  }

  /** GET /metrics, parsed strictly; recorded after it is read (a scrape does not count itself). */
  async function scrape(headers: Record<string, string> = AUTH): Promise<Families> {
    const response = await fetch(`${server.url}/metrics`, { headers });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const families = parsePrometheusText(text);
    calls.push({ method: 'GET', route: '/metrics', status: 200, requestId: response.headers.get('x-request-id')! });
    return families;
  }

  before(async () => {
    dirs = tempDir('forge-metrics-');
    const home = join(dirs.path, 'home');
    mkdirSync(home);
    const repo = makeRepo(join(dirs.path, 'repo'), { 'README.md': '# metrics\n' });
    server = await startServerProcess(home, await freePort(), { FORGE_API_TOKEN: TOKEN, FORGE_LOG_LEVEL: 'info' });

    sse = followEvents(server.url);
    await sse.opened;
    const project = await api('POST', '/api/v1/projects', {}, { name: 'metrics', repoPath: repo });
    assert.equal(project.status, 201, JSON.stringify(project.body));
    tasks = [];
    for (const scenario of ['success', 'success', 'fail']) {
      const task = await api('POST', '/api/v1/tasks', {}, { projectId: project.body.id, title: `a ${scenario}`, description: `write ${scenario}.txt done` });
      tasks.push({ id: task.body.id, scenario });
    }
    const started = await Promise.all(
      tasks.map(({ id, scenario }) => api('POST', '/api/v1/tasks/{taskId}/attempts', { taskId: id }, { executor: 'fake-agent', options: { scenario } })),
    );
    for (const start of started) assert.equal(start.status, 202, JSON.stringify(start.body));
    for (const start of started) {
      const waited = await api('GET', '/api/v1/attempts/{attemptId}/wait', { attemptId: start.body.id }, undefined);
      assert.equal(waited.body.outcome, 'finished', JSON.stringify(waited.body));
    }
    await api('GET', '/api/v1/tasks/{taskId}', { taskId: tasks[0]!.id });
    await api('GET', '/api/v1/tasks/{taskId}', { taskId: randomUUID() });
    saneCall = await api('GET', '/api/v1/projects', {}, undefined, { 'x-request-id': 'scripted-run:42.a_b-C' });
    attempts = [];
    for (const { id } of tasks) attempts.push(...(await api('GET', '/api/v1/tasks/{taskId}/attempts', { taskId: id })).body.items);

    const mcp = await connectHttp(server.url, '2026-07-28', { token: TOKEN });
    try {
      assert.equal((await callOk(mcp, 'list_projects')).items.length, 1);
      assert.equal((await callError(mcp, 'get_task', { taskId: randomUUID() })).code, 'FORGE_NOT_FOUND');
    } finally {
      await mcp.close();
    }

    const noToken: Record<string, string>[] = [{}, { authorization: 'Bearer not-the-token-at-all-00' }];
    for (const headers of noToken) {
      const refused = await fetch(`${server.url}/metrics`, { headers });
      assert.equal(refused.status, 401);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'FORGE_UNAUTHORIZED');
      calls.push({ method: 'GET', route: '/metrics', status: 401, requestId: refused.headers.get('x-request-id')! });
    }
  });

  after(async () => {
    await sse?.close().catch(() => undefined);
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    dirs?.cleanup();
  });

  it('answers Prometheus text that a strict parser reads, with the process metrics beside Forge’s', async () => {
    const families = await scrape();
    const types = Object.fromEntries([...families.values()].map((family) => [family.name, family.type]));
    assert.deepEqual(
      Object.fromEntries(Object.entries(types).filter(([name]) => name.startsWith('forge_'))),
      {
        forge_attempts: 'gauge',
        forge_queue_depth: 'gauge',
        forge_attempt_queue_wait_seconds: 'histogram',
        forge_worktree_creation_seconds: 'histogram',
        forge_attempt_duration_seconds: 'histogram',
        forge_http_request_duration_seconds: 'histogram',
        forge_sse_clients: 'gauge',
        forge_mcp_tool_call_duration_seconds: 'histogram',
        forge_webhook_deliveries_total: 'counter',
        forge_webhook_delivery_duration_seconds: 'histogram',
        forge_events_total: 'counter',
      },
    );
    for (const [name, type] of [
      ['process_resident_memory_bytes', 'gauge'],
      ['process_cpu_seconds_total', 'counter'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
      ['nodejs_gc_duration_seconds', 'histogram'],
    ]) {
      assert.equal(types[name!], type, name);
    }
    assert.ok(sumOf(families, 'process_resident_memory_bytes') > 10_000_000);
  });

  it('counts attempts by state as the API lists them, and times their phases as their own timestamps say', async () => {
    const families = await scrape();
    const byState: Record<string, number> = { queued: 0, preparing: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const attempt of attempts) byState[attempt.state] = byState[attempt.state]! + 1;
    assert.deepEqual([byState.succeeded, byState.failed], [2, 1], 'the fake agent did as scripted');
    for (const [state, count] of Object.entries(byState)) assert.equal(sumOf(families, 'forge_attempts', { state }), count, state);
    assert.equal(sumOf(families, 'forge_queue_depth'), byState.queued);

    const executor = 'fake-agent';
    for (const state of ['succeeded', 'failed']) {
      const ran = attempts.filter((a) => a.state === state);
      assert.equal(sumOf(families, 'forge_attempt_duration_seconds_count', { state, executor }), ran.length, state);
      near(sumOf(families, 'forge_attempt_duration_seconds_sum', { state, executor }), ran.reduce((sum, a) => sum + seconds(a.startedAt, a.finishedAt), 0), `${state} durations`);
    }
    assert.equal(sumOf(families, 'forge_attempt_queue_wait_seconds_count', { executor }), attempts.length);
    near(sumOf(families, 'forge_attempt_queue_wait_seconds_sum', { executor }), attempts.reduce((sum, a) => sum + seconds(a.createdAt, a.startedAt), 0), 'queue waits');
    assert.equal(sumOf(families, 'forge_worktree_creation_seconds_count', { executor }), attempts.length);
    near(sumOf(families, 'forge_worktree_creation_seconds_sum', { executor }), attempts.reduce((sum, a) => sum + seconds(a.startedAt, a.worktreeReadyAt), 0), 'worktrees');
  });

  it('counts API requests by method, route pattern and status class, exactly as they were made', async () => {
    const expected = () => {
      const counts: Record<string, number> = {};
      for (const call of calls) {
        const key = `${call.method} ${call.route} ${Math.floor(call.status / 100)}xx`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return counts;
    };
    let wanted: Record<string, number> = {};
    const counted = (families: Families) =>
      Object.fromEntries(
        samplesOf(families, 'forge_http_request_duration_seconds_count')
          .filter((s) => !ROUTES_NOT_COUNTED_HERE.has(s.labels.route!) && s.labels.route !== '/api/v1/events')
          .map((s) => [`${s.labels.method} ${s.labels.route} ${s.labels.status_class}`, s.value]),
      );
    // A request is counted once its response is over, which the client may see a moment before.
    await waitUntil(
      async () => {
        wanted = expected();
        return counted(await scrape());
      },
      (got) => JSON.stringify(Object.entries(got).sort()) === JSON.stringify(Object.entries(wanted).sort()),
      (got) => `counted ${JSON.stringify(got)}, made ${JSON.stringify(wanted)}`,
    );
    assert.equal(wanted['GET /api/v1/tasks/{taskId} 4xx'], 1, 'the unknown task is counted under its route pattern');
    assert.equal(wanted['GET /metrics 4xx'], 2, 'refused scrapes are counted under their route');
    const families = await scrape();
    assert.ok(sumOf(families, 'forge_http_request_duration_seconds_count', { route: '/mcp' }) >= 2, 'the MCP client’s requests are counted too');
  });

  it('times MCP tool calls by tool and outcome', async () => {
    const families = await scrape();
    const calls = samplesOf(families, 'forge_mcp_tool_call_duration_seconds_count').map((s) => [s.labels.tool, s.labels.outcome, s.value]);
    assert.deepEqual(calls.sort(), [
      ['get_task', 'error', 1],
      ['list_projects', 'ok', 1],
    ]);
  });

  it('counts by type exactly the events GET /events streamed', async () => {
    let families: Families = new Map();
    const total = () => sumOf(families, 'forge_events_total');
    await waitUntil(
      async () => (families = await scrape()),
      () => total() > 0 && sse.events.length === total(),
      () => `GET /events streamed ${sse.events.length} events, forge_events_total says ${total()}`,
    );
    assert.deepEqual(
      sse.events.map((event) => Number(event.id)),
      sse.events.map((_, i) => i + 1),
      'every event of the log, once, in order',
    );
    const streamed: Record<string, number> = {};
    for (const event of sse.events) streamed[event.event] = (streamed[event.event] ?? 0) + 1;
    const counted = Object.fromEntries(samplesOf(families, 'forge_events_total').filter((s) => s.value > 0).map((s) => [s.labels.type, s.value]));
    assert.deepEqual(counted, streamed);
    assert.ok(streamed['attempt.updated']! >= 9, 'claim, worktree, running and finish of three attempts');
  });

  it('counts an SSE client while it is connected, and not after it left', async () => {
    const families = await scrape();
    assert.deepEqual(
      samplesOf(families, 'forge_sse_clients').map((s) => [s.labels.route, s.value]),
      [['/api/v1/events', 1]],
    );
    await sse.close();
    calls.push({ method: 'GET', route: '/api/v1/events', status: 200, requestId: sse.requestId() });
    await waitUntil(
      scrape,
      (after) => sumOf(after, 'forge_sse_clients') === 0 && sumOf(after, 'forge_http_request_duration_seconds_count', { route: '/api/v1/events' }) === 1,
      (after) => `SSE clients ${sumOf(after, 'forge_sse_clients')}, GET /api/v1/events counted ${sumOf(after, 'forge_http_request_duration_seconds_count', { route: '/api/v1/events' })}`,
    );
  });

  it('logs one JSON line per request, carrying the id its response header gave, and keeps a sane incoming id', async () => {
    assert.equal(saneCall.requestId, 'scripted-run:42.a_b-C');
    const ids = calls.map((call) => call.requestId);
    for (const id of ids) assert.ok(id === saneCall.requestId || UUID.test(id), id);
    assert.equal(new Set(ids).size, ids.length, 'every request has its own id');
    // A request's line is written once its response is over, and comes through a pipe: the
    // client may have its response before the line is here.
    const lines = await waitUntil(
      async () =>
        server
          .output()
          .split('\n')
          .slice(0, -1) // a line still being written
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line)),
      (lines) => calls.every((call) => lines.some((line) => line.requestId === call.requestId)),
      (lines) => `no line for ${calls.filter((call) => !lines.some((line) => line.requestId === call.requestId)).map((call) => `${call.method} ${call.route}`)}`,
    );
    const accessLines = lines.filter((line) => line.route !== undefined && line.status !== undefined);
    for (const line of accessLines) assert.ok(line.requestId, `an access line without an id: ${JSON.stringify(line)}`);
    for (const call of calls) {
      const mine = lines.filter((line) => line.requestId === call.requestId);
      assert.deepEqual(
        mine.map((line) => [line.msg, line.method, line.route, line.status, typeof line.durationMs]),
        [[`${call.method} ${call.route} ${call.status}`, call.method, call.route, call.status, 'number']],
        `the lines of ${call.method} ${call.route}`,
      );
    }
  });
});

describe('the Prometheus text parser of these tests', () => {
  const valid = '# HELP a_total Things.\n# TYPE a_total counter\na_total{x="1"} 3\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1.5\nh_count 2\n';

  it('reads a valid exposition', () => {
    const families = parsePrometheusText(valid);
    assert.deepEqual(samplesOf(families, 'a_total'), [{ name: 'a_total', labels: { x: '1' }, value: 3 }]);
    assert.equal(sumOf(families, 'h_count'), 2);
    assert.equal(families.get('a_total')!.help, 'Things.');
  });

  it('refuses what a Prometheus server would refuse or misread', () => {
    const broken: [string, string, RegExp][] = [
      ['no final line feed', valid.slice(0, -1), /line feed/],
      ['a series twice', valid.replace('a_total{x="1"} 3\n', 'a_total{x="1"} 3\na_total{x="1"} 4\n'), /twice/],
      ['a family split', `${valid}a_total{x="2"} 1\n`, /not all together/],
      ['buckets not cumulative', valid.replace('h_bucket{le="1"} 1', 'h_bucket{le="1"} 3'), /cumulative/],
      ['+Inf not the count', valid.replace('h_count 2', 'h_count 5'), /\+Inf bucket/],
      ['a negative counter', valid.replace('a_total{x="1"} 3', 'a_total{x="1"} -1'), /counter/],
      ['a bad escape', valid.replace('{x="1"}', '{x="\\q"}'), /escape/],
      ['an unquoted label', valid.replace('{x="1"}', '{x=1}'), /name="value"/],
      ['a TYPE after samples', `${valid}# TYPE a_total counter\n`, /after its samples/],
      ['a value that is no number', valid.replace('h_sum 1.5', 'h_sum 1,5'), /not a number/],
    ];
    for (const [what, text, error] of broken) assert.throws(() => parsePrometheusText(text), error, what);
  });
});

describe('attempt phase timings from the event log', () => {
  const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
  const base = { id: 'a1', executor: { id: 'fake-agent' }, createdAt: at(0), updatedAt: at(0), startedAt: null, worktreeReadyAt: null, finishedAt: null };
  let seq = 0;
  const event = (type: 'attempt.created' | 'attempt.updated', attempt: Partial<Attempt>): ForgeEvent => ({
    id: String(++seq),
    type,
    subject: attempt.id ?? 'a1',
    ts: attempt.updatedAt ?? at(0),
    data: { ...base, ...attempt },
  });
  const recorder = () => {
    const seen: string[] = [];
    const timings = new AttemptTimings({
      queueWait: (executor, seconds) => seen.push(`queue ${executor} ${seconds}`),
      worktreeReady: (executor, seconds) => seen.push(`worktree ${executor} ${seconds}`),
      finished: (state, executor, seconds) => seen.push(`${state} ${executor} ${seconds}`),
    });
    return { seen, timings };
  };

  it('times each phase once, on the move into it, however many other updates come', () => {
    const { seen, timings } = recorder();
    const claimed = { state: 'preparing' as const, startedAt: at(2), updatedAt: at(2) };
    for (const e of [
      event('attempt.created', { state: 'queued' }),
      event('attempt.updated', claimed),
      event('attempt.updated', { ...claimed, worktreeReadyAt: at(3), updatedAt: at(3) }),
      event('attempt.updated', { ...claimed, state: 'running', worktreeReadyAt: at(3), updatedAt: at(4) }),
      event('attempt.updated', { ...claimed, state: 'succeeded', worktreeReadyAt: at(3), finishedAt: at(10), updatedAt: at(10) }),
      // Merged later, its worktree released: still one finish.
      event('attempt.updated', { ...claimed, state: 'succeeded', worktreeReadyAt: at(3), finishedAt: at(10), updatedAt: at(20) }),
      // A follow-up: queued again at 30, claimed at 31, its worktree found at once.
      event('attempt.updated', { state: 'queued', updatedAt: at(30), startedAt: null, worktreeReadyAt: null, finishedAt: null }),
      event('attempt.updated', { state: 'preparing', startedAt: at(31), updatedAt: at(31) }),
      event('attempt.updated', { state: 'failed', startedAt: at(31), worktreeReadyAt: at(31), finishedAt: at(33), updatedAt: at(33) }),
    ]) {
      timings.observe(e);
    }
    assert.deepEqual(seen, ['queue fake-agent 2', 'worktree fake-agent 1', 'succeeded fake-agent 8', 'queue fake-agent 1', 'worktree fake-agent 0', 'failed fake-agent 2']);
  });

  it('times the end of a run that began before a restart, and no run for an attempt cancelled while queued', () => {
    const { seen, timings } = recorder();
    timings.adopt([
      { ...base, id: 'running', state: 'running', startedAt: at(5), worktreeReadyAt: at(6) } as unknown as Attempt,
      { ...base, id: 'queued', state: 'queued', updatedAt: at(7) } as unknown as Attempt,
    ]);
    timings.observe(event('attempt.updated', { id: 'running', state: 'succeeded', startedAt: at(5), worktreeReadyAt: at(6), finishedAt: at(9) }));
    timings.observe(event('attempt.updated', { id: 'queued', state: 'cancelled', finishedAt: at(8) }));
    // One never seen live (finished before this process started) is not timed when it changes.
    timings.observe(event('attempt.updated', { id: 'old', state: 'succeeded', startedAt: at(1), finishedAt: at(2) }));
    assert.deepEqual(seen, ['succeeded fake-agent 4']);
  });
});
