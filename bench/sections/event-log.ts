import { readFileSync } from 'node:fs';
import { ForgeApi } from '../api.ts';
import { EventLogFollower } from '../event-log-follower.ts';
import { makeSmallRepo } from '../fixtures.ts';
import type { LoadClient } from '../load-client-process.ts';
import type { LoadJob, LoadResult } from '../load-job.ts';
import { RssSampler, readRssMb } from '../rss.ts';
import { startForge, type ForgeServer } from '../server-process.ts';
import { summarize, type LatencySummary } from '../stats.ts';
import { formatNumber as fmt, printTable } from '../table.ts';

export interface EventLogResult {
  appends: {
    clients: number;
    requests: LatencySummary;
    requestsPerSecond: number;
    errors: number;
    firstError: string | null;
    timedOut: boolean;
    /** task.created events the follower got. */
    eventsFollowed: number;
    /** As the follower saw them: events / time from the first to the last. */
    eventsPerSecond: number;
    /** What the follower got wrong, against one task.created per created task, each once, ids without a hole; null: nothing. */
    followerMismatch: string | null;
    /** Arrival at the follower minus the event's `ts`. */
    lagMs: LatencySummary;
  };
  fanOut: {
    clients: number;
    tasks: number;
    eventsDelivered: number;
    eventsExpected: number;
    /** Clients that missed, repeated or reordered an event, or whose stream ended early; what the first of them got wrong. */
    clientsNotExact: number;
    firstMismatch: string | null;
    lagMs: LatencySummary;
    /** Task creation while the server fans out. */
    requestsPerSecond: number;
    /** CPU over the fan-out, from the first POST to the last delivery, as a share of one core: the server's, and the readers' in the bench process. */
    serverCpuPercent: number;
    readerCpuPercent: number;
    rssBeforeMb: number;
    peakRssMb: number;
    rssSamples: number;
  };
  resume: {
    eventsInLog: number;
    /** SIGKILLed server's replacement on the same FORGE_HOME: spawn to the first healthy answer. */
    spawnToHealthyMs: number;
    replayed: number;
    /** From sending the GET with Last-Event-ID to the first and to the last replayed event. */
    firstEventMs: number;
    replayMs: number;
    eventsPerSecond: number;
    /** What the client got wrong, against every event after the Last-Event-ID, each once, in order, no resync; null: nothing. */
    mismatch: string | null;
  };
}

const APPEND_CLIENTS = 50;
// As section 1: the create path needs ~2,500 requests before V8 has optimized it.
const APPEND_WARMUP = 3_000;
const APPEND_REQUESTS = 6_000;
const FAN_OUT_CLIENTS = 100;
const FAN_OUT_LOAD_CLIENTS = 10;
const FAN_OUT_TASKS = 2_000;
const RESUME_EVENTS = 20_000;
const TOP_UP_CLIENTS = 10;
const RSS_SAMPLE_MS = 50;
// Each phase stops by itself: the load after this long, the readers this long after the load.
const LOAD_TIME_LIMIT_MS = 15_000;
const DELIVERY_TIME_LIMIT_MS = 10_000;

/**
 * 10. The persisted event log: task creation at 50 clients while one client follows GET /events,
 * fan-out of the same events to 100 SSE clients, and a client resuming with Last-Event-ID from
 * 20,000 events back after the server was killed and started again on the same FORGE_HOME.
 */
export async function benchEventLog(client: LoadClient, home: string, repoDir: string): Promise<EventLogResult> {
  makeSmallRepo(repoDir);
  let server = await startForge(home);
  let api = new ForgeApi(server.url);
  try {
    const projectId = await api.createProject('bench-event-log', repoDir);
    const createTasks = (clients: number, warmup: number, count: number) => client.run(createTasksJob(server.url, projectId, clients, warmup, count));

    await createTasks(APPEND_CLIENTS, APPEND_WARMUP, 0);
    const appends = await measureAppends(server, () => createTasks(APPEND_CLIENTS, 0, APPEND_REQUESTS));
    const fanOut = await measureFanOut(server, appends.lastId + 1, () => createTasks(FAN_OUT_LOAD_CLIENTS, 0, FAN_OUT_TASKS));

    // More than RESUME_EVENTS in the log, so the ones replayed are all task.created (the first
    // event is the project's): each created task appends exactly one event.
    const topUp = Math.max(0, RESUME_EVENTS + 1 - fanOut.lastId);
    const topUpResult = topUp > 0 ? await createTasks(TOP_UP_CLIENTS, 0, topUp) : null;
    const newestId = fanOut.lastId + (topUpResult ? created(topUpResult) : 0);
    // SIGKILL, not stop(): the log must be whole after a crash, not only after a clean shutdown.
    // stop() then only waits for the exit.
    process.kill(server.pid, 'SIGKILL');
    await server.stop();
    api.close();
    server = await startForge(home);
    api = new ForgeApi(server.url);
    const resume = await measureResume(server, newestId);

    const result: EventLogResult = { appends: appends.result, fanOut: fanOut.result, resume };
    printResult(result);
    return result;
  } finally {
    api.close();
    await server.stop();
  }
}

function createTasksJob(baseUrl: string, projectId: string, clients: number, warmup: number, count: number): LoadJob {
  return {
    baseUrl,
    method: 'POST',
    paths: ['/api/v1/tasks'],
    bodyTemplate: JSON.stringify({ projectId, title: 'Event log task {i}', description: 'Created by npm run bench.' }),
    concurrency: clients,
    warmup,
    count,
    expectStatus: 201,
    timeLimitMs: LOAD_TIME_LIMIT_MS,
    // After a warm-up run the connections are new: opened first, so the timed requests do not pay for them.
    preconnectPath: '/api/v1/health',
  };
}

/** Tasks the run created, each of which appended one task.created event. */
const created = (result: LoadResult) => result.latenciesMs.length - result.errors;

/** 1. The follower connects after the warm-up: without Last-Event-ID it gets exactly the measured run's events. */
async function measureAppends(server: ForgeServer, load: () => Promise<LoadResult>) {
  const follower = await EventLogFollower.open(server.url);
  try {
    const run = await load();
    const expected = created(run);
    await follower.waitFor(expected, DELIVERY_TIME_LIMIT_MS);
    const result: EventLogResult['appends'] = {
      clients: APPEND_CLIENTS,
      requests: summarize(run.latenciesMs),
      requestsPerSecond: run.latenciesMs.length / (run.wallMs / 1000),
      errors: run.errors,
      firstError: run.firstError,
      timedOut: run.timedOut,
      eventsFollowed: follower.tasksCreated,
      eventsPerSecond: follower.received / ((follower.lastAt - follower.firstAt) / 1000),
      followerMismatch: mismatch(follower, expected),
      lagMs: summarize(follower.lagsMs),
    };
    return { result, lastId: follower.lastId };
  } finally {
    follower.close();
  }
}

/**
 * 2. All the followers are connected before the first task is created, so each should get every
 * event. They read in this process, which otherwise only waits: the table prints their CPU beside
 * the server's, so readers that became the bottleneck (and the lag theirs) would show.
 */
async function measureFanOut(server: ForgeServer, firstId: number, load: () => Promise<LoadResult>) {
  const rssBeforeMb = readRssMb(server.pid);
  const followers = await Promise.all(Array.from({ length: FAN_OUT_CLIENTS }, () => EventLogFollower.open(server.url)));
  try {
    const sampler = new RssSampler(server.pid, RSS_SAMPLE_MS);
    const serverCpuBefore = cpuMsOf(server.pid);
    const readerCpuBefore = process.cpuUsage();
    const began = performance.now();
    const run = await load();
    const expected = created(run);
    await Promise.all(followers.map((f) => f.waitFor(expected, DELIVERY_TIME_LIMIT_MS)));
    const elapsedMs = performance.now() - began;
    const readerCpu = process.cpuUsage(readerCpuBefore);
    const serverCpuMs = cpuMsOf(server.pid) - serverCpuBefore;
    sampler.stop();
    const mismatches = followers.flatMap((f) => mismatch(f, expected, firstId) ?? []);
    const result: EventLogResult['fanOut'] = {
      clients: FAN_OUT_CLIENTS,
      tasks: expected,
      eventsDelivered: followers.reduce((sum, f) => sum + f.tasksCreated, 0),
      eventsExpected: FAN_OUT_CLIENTS * expected,
      clientsNotExact: mismatches.length,
      firstMismatch: mismatches[0] ?? null,
      lagMs: summarize(followers.flatMap((f) => f.lagsMs)),
      requestsPerSecond: run.latenciesMs.length / (run.wallMs / 1000),
      serverCpuPercent: (serverCpuMs / elapsedMs) * 100,
      readerCpuPercent: ((readerCpu.user + readerCpu.system) / 1000 / elapsedMs) * 100,
      rssBeforeMb,
      peakRssMb: sampler.peakMb,
      rssSamples: sampler.samples,
    };
    return { result, lastId: Math.max(...followers.map((f) => f.lastId)) };
  } finally {
    for (const follower of followers) follower.close();
  }
}

/** 3. A client that comes back after the restart with the id it had RESUME_EVENTS events ago. */
async function measureResume(server: ForgeServer, newestId: number): Promise<EventLogResult['resume']> {
  const from = Math.max(0, newestId - RESUME_EVENTS);
  const expected = newestId - from;
  const began = performance.timeOrigin + performance.now();
  const follower = await EventLogFollower.open(server.url, String(from));
  try {
    await follower.waitFor(expected, DELIVERY_TIME_LIMIT_MS);
    const replayMs = follower.lastAt - began;
    return {
      eventsInLog: newestId,
      spawnToHealthyMs: server.spawnToHealthyMs,
      replayed: follower.received,
      firstEventMs: follower.firstAt - began,
      replayMs,
      eventsPerSecond: follower.received / (replayMs / 1000),
      mismatch: mismatch(follower, expected, from + 1),
    };
  } finally {
    follower.close();
  }
}

// The kernel's USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux build Node runs on.
const CLOCK_TICKS_PER_SECOND = 100;

/** User plus system CPU time a process has used so far, in ms. */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may itself hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND) * 1000;
}

/**
 * What a follower got wrong, against exactly `expected` task.created events (from id `firstId`
 * on, when known), each once, ids without a hole, no resync, the stream still open; null: nothing.
 */
function mismatch(follower: EventLogFollower, expected: number, firstId?: number): string | null {
  const problems: string[] = [];
  if (follower.tasksCreated !== expected) problems.push(`${follower.tasksCreated} of ${expected} task.created events`);
  if (follower.received !== follower.tasksCreated) problems.push(`${follower.received - follower.tasksCreated} events of other types`);
  if (firstId !== undefined && follower.received > 0 && follower.firstId !== firstId) problems.push(`first id ${follower.firstId}, not ${firstId}`);
  if (follower.repeated > 0) problems.push(`${follower.repeated} ids repeated or out of order`);
  if (follower.skipped > 0) problems.push(`${follower.skipped} ids skipped`);
  if (follower.resyncs > 0) problems.push(`${follower.resyncs} resync events`);
  if (follower.endedEarly !== null) problems.push(`stream ended: ${follower.endedEarly}`);
  return problems.length > 0 ? problems.join('; ') : null;
}

function printResult({ appends, fanOut, resume }: EventLogResult): void {
  const exact = (mismatch: string | null) => (mismatch === null ? 'yes' : `!! no: ${mismatch}`);
  printTable(
    `10a. Task creation at ${appends.clients} clients (${APPEND_REQUESTS.toLocaleString('en-US')} POST /tasks, each appending an event) while one client follows GET /events`,
    ['measure', 'value'],
    [
      ['requests p50 / p95 / p99 (ms)', `${fmt(appends.requests.p50)} / ${fmt(appends.requests.p95)} / ${fmt(appends.requests.p99)}`],
      ['req/s', Math.round(appends.requestsPerSecond)],
      ['request errors', appends.errors],
      ['task.created events the follower got', appends.eventsFollowed],
      ['events appended per second (as the follower saw them)', Math.round(appends.eventsPerSecond)],
      ['every event once, ids contiguous', exact(appends.followerMismatch)],
      ['delivery lag p50 / p95 / p99 (ms, event ts to arrival)', `${fmt(appends.lagMs.p50)} / ${fmt(appends.lagMs.p95)} / ${fmt(appends.lagMs.p99)}`],
    ],
  );
  if (appends.firstError || appends.timedOut) console.log(`   ${appends.timedOut ? 'stopped by the time limit; ' : ''}${appends.firstError ?? ''}`);
  printTable(
    `10b. ${fanOut.clients} SSE clients on GET /events while ${fanOut.tasks.toLocaleString('en-US')} tasks are created at ${FAN_OUT_LOAD_CLIENTS} clients`,
    ['measure', 'value'],
    [
      ['delivery lag p50 / p95 / p99 / max (ms, all clients)', `${fmt(fanOut.lagMs.p50)} / ${fmt(fanOut.lagMs.p95)} / ${fmt(fanOut.lagMs.p99)} / ${fmt(fanOut.lagMs.max)}`],
      ['events delivered / expected', `${fanOut.eventsDelivered} / ${fanOut.eventsExpected}`],
      ['clients that missed or repeated an event', `${fanOut.clientsNotExact} of ${fanOut.clients}${fanOut.firstMismatch ? ` (!! the first: ${fanOut.firstMismatch})` : ''}`],
      ['task creation meanwhile (req/s)', Math.round(fanOut.requestsPerSecond)],
      [`CPU, server / the ${fanOut.clients} readers in the bench process (% of a core)`, `${Math.round(fanOut.serverCpuPercent)} / ${Math.round(fanOut.readerCpuPercent)}`],
      ['server RSS before the clients connected (MB)', fanOut.rssBeforeMb],
      [`server peak RSS (MB, ${fanOut.rssSamples} samples)`, fanOut.peakRssMb],
    ],
  );
  printTable(
    `10c. Resume after SIGKILL and a restart on the same FORGE_HOME: Last-Event-ID ${RESUME_EVENTS.toLocaleString('en-US')} events back`,
    ['measure', 'value'],
    [
      ['events in the log', resume.eventsInLog],
      ['restart: spawn to first healthy answer (ms)', resume.spawnToHealthyMs],
      ['GET with Last-Event-ID to first event (ms)', resume.firstEventMs],
      ['GET with Last-Event-ID to last event (ms)', resume.replayMs],
      ['replay events/s', Math.round(resume.eventsPerSecond)],
      ['every event once, in order, no resync', exact(resume.mismatch)],
    ],
  );
}
