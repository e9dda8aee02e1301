import http from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ForgeApi } from '../api.ts';
import { makeSmallRepo } from '../fixtures.ts';
import { request, requestJson } from '../http.ts';
import type { LoadClient } from '../load-client-process.ts';
import { startForge } from '../server-process.ts';
import { summarize, type LatencySummary } from '../stats.ts';
import { printTable } from '../table.ts';

/** Task creations a second in the paced run, and for how long. */
const RATE_PER_SECOND = 100;
const RATE_SECONDS = 10;
/** The paced run's POSTs in flight at most: a server that falls behind slows the run instead of piling up requests. */
const MAX_IN_FLIGHT = 50;
const THROUGHPUT = { clients: 10, warmup: 300, count: 1_500 };
// The first level also warms the server's create path, which V8 optimizes after ~2,500 requests (section 1).
const FIRST_WARMUP = 2_500;
/** Deliveries still missing this long after the last event are counted as not delivered. */
const DRAIN_LIMIT_MS = 120_000;

export interface WebhookThroughputLevel {
  subscriptions: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  errors: number;
  /** Deliveries made by the level, all received before the next level began. */
  deliveries: number;
}

export interface WebhooksResult {
  /** The paced run: tasks created, deliveries made and received, and from the delivery log. */
  events: number;
  eventsPerSecond: number;
  deliveries: number;
  received: number;
  /** Deliveries not succeeded once the run drained (failed, or still pending), over all deliveries. */
  failureRate: number;
  /** Attempts that did not succeed (and were retried), over all attempts. */
  failedAttemptRate: number;
  duplicates: number;
  /** From the event's commit (its ts) to the receiver's reading the request, in ms. */
  latency: LatencySummary;
  /** The server's CPU time over the paced run's wall time (1 = one core busy throughout). */
  serverCpuShare: number;
  throughput: WebhookThroughputLevel[];
}

interface Receipt {
  deliveryId: string;
  eventTs: string;
  receivedAt: number;
}

/** A healthy receiver on 127.0.0.1: answers 204 at once and notes when each delivery came. */
async function startReceiver(): Promise<{ url: string; receipts: Receipt[]; close(): Promise<void> }> {
  const receipts: Receipt[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const receivedAt = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; event: { ts: string } };
      receipts.push({ deliveryId: body.id, eventTs: body.event.ts, receivedAt });
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    receipts,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * 14. Webhooks: a healthy receiver on 127.0.0.1 subscribed to task.created while tasks are created
 * at 100 a second for 10 s (paced, open loop): how many deliveries failed, and the latency from an
 * event's commit to its receipt. Then task creation in a closed loop with no, one and ten
 * subscriptions, each level's deliveries drained before the next: what fan-out and sending cost
 * the write path. Its own server, loopback targets allowed by its configuration.
 */
export async function benchWebhooks(client: LoadClient, workDir: string): Promise<WebhooksResult> {
  const receiver = await startReceiver();
  const repo = join(workDir, 'repo');
  makeSmallRepo(repo);
  const home = join(workDir, 'home');
  mkdirSync(home, { recursive: true });
  const server = await startForge(home, { FORGE_WEBHOOK_ALLOWED_TARGETS: '127.0.0.1' });
  const api = new ForgeApi(server.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
  const call = <T>(method: string, path: string, body: unknown, expected: number) => requestJson<T>(agent, `${server.url}/api/v1${path}`, method, body, expected);
  const subscriptions: string[] = [];
  const subscribe = async () => subscriptions.push((await call<{ id: string }>('POST', '/webhooks', { url: receiver.url, eventTypes: ['task.created'] }, 201)).id);
  const unsubscribeAll = async () => {
    for (const id of subscriptions.splice(0)) await call('DELETE', `/webhooks/${id}`, undefined, 204).catch(() => undefined);
  };
  const waitForReceipts = async (count: number) => {
    const deadline = Date.now() + DRAIN_LIMIT_MS;
    while (receiver.receipts.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  };
  try {
    const projectId = await api.createProject('bench-webhooks', repo);
    const body = (i: number) => JSON.stringify({ projectId, title: `Hooked task ${i}` });

    // The paced run.
    await subscribe();
    const total = RATE_PER_SECOND * RATE_SECONDS;
    const cpuBefore = cpuSeconds(server.pid);
    const started = Date.now();
    const inFlight = new Set<Promise<unknown>>();
    let errors = 0;
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE_PER_SECOND;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      const sent: Promise<unknown> = request(agent, `${server.url}/api/v1/tasks`, 'POST', body(i))
        .then((r) => (r.status === 201 ? undefined : errors++), () => errors++)
        .finally(() => inFlight.delete(sent));
      inFlight.add(sent);
    }
    await Promise.all(inFlight);
    const eventsPerSecond = total / ((Date.now() - started) / 1000);
    await waitForReceipts(total - errors);
    const serverCpuShare = (cpuSeconds(server.pid) - cpuBefore) / ((Date.now() - started) / 1000);
    const log = await deliveryLog(call, subscriptions[0]!);
    const latency = summarize(receiver.receipts.map((r) => r.receivedAt - Date.parse(r.eventTs)));
    const distinct = new Set(receiver.receipts.map((r) => r.deliveryId)).size;
    const attempts = log.reduce((sum, d) => sum + d.attempts, 0);
    const failedAttempts = log.reduce((sum, d) => sum + d.attempts - (d.state === 'succeeded' ? 1 : 0), 0);
    const paced = {
      events: total - errors,
      eventsPerSecond,
      deliveries: log.length,
      received: distinct,
      failureRate: log.length === 0 ? 1 : log.filter((d) => d.state !== 'succeeded').length / log.length,
      failedAttemptRate: attempts === 0 ? 0 : failedAttempts / attempts,
      duplicates: receiver.receipts.length - distinct,
      latency,
      serverCpuShare,
    };
    await unsubscribeAll();

    // The added cost on the write path.
    const throughput: WebhookThroughputLevel[] = [];
    for (const count of [0, 1, 10]) {
      for (let i = 0; i < count; i++) await subscribe();
      receiver.receipts.length = 0;
      const warmup = count === 0 ? FIRST_WARMUP : THROUGHPUT.warmup;
      const result = await client.run({
        baseUrl: server.url,
        method: 'POST',
        paths: ['/api/v1/tasks'],
        bodyTemplate: JSON.stringify({ projectId, title: 'Throughput task {i}' }),
        concurrency: THROUGHPUT.clients,
        warmup,
        count: THROUGHPUT.count,
        expectStatus: 201,
        timeLimitMs: 60_000,
      });
      const made = (warmup + THROUGHPUT.count) * count;
      await waitForReceipts(made);
      const summary = summarize(result.latenciesMs);
      throughput.push({ subscriptions: count, requestsPerSecond: result.latenciesMs.length / (result.wallMs / 1000), p50: summary.p50, p95: summary.p95, errors: result.errors, deliveries: receiver.receipts.length });
      await unsubscribeAll();
    }

    printTable(
      `14a. Webhooks: task.created at ${RATE_PER_SECOND}/s for ${RATE_SECONDS} s to a healthy receiver on 127.0.0.1 (latency: event commit to receipt, ms)`,
      ['events', 'events/s', 'deliveries', 'received', 'failed %', 'retried attempts %', 'duplicates', 'p50', 'p95', 'p99', 'max', 'server CPU'],
      [[paced.events, Math.round(paced.eventsPerSecond), paced.deliveries, paced.received, (paced.failureRate * 100).toFixed(2), (paced.failedAttemptRate * 100).toFixed(2), paced.duplicates, latency.p50, latency.p95, latency.p99, latency.max, `${Math.round(serverCpuShare * 100)}%`]],
    );
    printTable(
      `14b. Task creation with webhook subscriptions (POST /api/v1/tasks, ${THROUGHPUT.clients} clients, closed loop; latency in ms)`,
      ['subscriptions', 'req/s', 'p50', 'p95', 'errors', 'deliveries received'],
      throughput.map((l) => [l.subscriptions, Math.round(l.requestsPerSecond), l.p50, l.p95, l.errors, l.deliveries]),
    );
    return { ...paced, throughput };
  } finally {
    agent.destroy();
    api.close();
    await server.stop();
    await receiver.close();
  }
}

/** CPU seconds a process has used, user and system, from the kernel's accounting (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface LoggedDelivery {
  state: string;
  attempts: number;
}

/** Every delivery of a subscription, through the paged log. */
async function deliveryLog(call: <T>(method: string, path: string, body: unknown, expected: number) => Promise<T>, webhookId: string): Promise<LoggedDelivery[]> {
  const all: LoggedDelivery[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: LoggedDelivery[]; nextCursor: string | null } = await call('GET', `/webhooks/${webhookId}/deliveries?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, undefined, 200);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}
