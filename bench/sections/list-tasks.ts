import { createServer, type Server } from 'node:http';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import type { ForgeApi } from '../api.ts';
import { request } from '../http.ts';
import type { LoadClient } from '../load-client-process.ts';
import type { LoadJob } from '../load-job.ts';
import { msSince, summarize, type LatencySummary } from '../stats.ts';
import { printTable } from '../table.ts';

/** One closed-loop run of the listing (or of its HTTP floor) at one number of clients. */
export interface ListTasksLevel extends LatencySummary {
  clients: number;
  requestsPerSecond: number;
  errors: number;
}

/** The 1-client numbers at the top, as before; then 10 clients, then what the same work costs with nothing around it. */
export interface ListTasksResult extends LatencySummary {
  tasks: number;
  responseBytes: number;
  errors: number;
  tenClients: ListTasksLevel;
  /** The same requests asking for gzip, as browsers and fetch() do: hapi then compresses every answer. */
  tenClientsGzip: ListTasksLevel;
  floors: {
    /** better-sqlite3 alone reading the page's rows as objects from the server's own file (read-only). */
    sqliteQuery: LatencySummary;
    /** JSON.stringify of the body the server sent, parsed: the serialization alone. */
    stringify: LatencySummary;
    /** A bare node:http server on 127.0.0.1 answering the same body, already serialized. */
    httpOneClient: ListTasksLevel;
    httpTenClients: ListTasksLevel;
  };
}

const TASKS = 1_000;
const TIME_LIMIT_MS = 60_000;
const LEVELS = [
  { clients: 1, warmup: 30, count: 300 },
  { clients: 10, warmup: 50, count: 1_000 },
] as const;
const IN_PROCESS_WARMUP = 50;
const IN_PROCESS_RUNS = 300;
// The page's rows as better-sqlite3 row objects, the way the listing read them before decision 0043
// (the server now has SQLite serialize them): what fetching them into JavaScript costs at least.
const LISTING_SQL = 'select * from `tasks` where `project_id` = ? order by `id` asc limit ?';

/**
 * 2. GET /tasks?limit=1000 on a project holding exactly 1,000 tasks, at 1 and 10 clients, each
 * beside its physical limits measured in the same run: the bare SQLite query on the server's own
 * database file, JSON.stringify of the same payload, and node:http answering the same bytes.
 */
export async function benchListTasks(client: LoadClient, api: ForgeApi, projectId: string, databaseFile: string): Promise<ListTasksResult> {
  const fill = await client.run({
    baseUrl: api.baseUrl,
    method: 'POST',
    paths: ['/api/v1/tasks'],
    bodyTemplate: JSON.stringify({ projectId, title: 'Listed task {i}', description: 'A task that the list benchmark reads back.' }),
    concurrency: 10,
    warmup: 0,
    count: TASKS,
    expectStatus: 201,
    timeLimitMs: TIME_LIMIT_MS,
  });
  if (fill.errors || fill.timedOut) throw new Error(`could not create the ${TASKS} tasks to list: ${fill.firstError ?? 'time limit'}`);
  const listed = await api.listTasks(projectId);
  if (listed.length !== TASKS) throw new Error(`the list returned ${listed.length} tasks, expected ${TASKS}`);

  const path = `/api/v1/tasks?projectId=${projectId}&limit=${TASKS}`;
  const job: MeasuredJob = { baseUrl: api.baseUrl, method: 'GET', paths: [path], expectStatus: 200, timeLimitMs: TIME_LIMIT_MS };
  const oneClient = await runLevel(client, job, LEVELS[0]);
  const tenClients = await runLevel(client, job, LEVELS[1]);
  const tenClientsGzip = await runLevel(client, { ...job, headers: { 'accept-encoding': 'gzip, deflate' } }, LEVELS[1]);

  const body = await bodyOf(`${api.baseUrl}${path}`);
  const sqliteQuery = timeBareQuery(databaseFile, projectId);
  const payload: unknown = JSON.parse(body);
  const stringify = timeInProcess(() => JSON.stringify(payload));
  const floor = await serveBody(Buffer.from(body));
  let httpOneClient: MeasuredLevel;
  let httpTenClients: MeasuredLevel;
  try {
    const floorJob = { ...job, baseUrl: floor.url };
    httpOneClient = await runLevel(client, floorJob, LEVELS[0]);
    httpTenClients = await runLevel(client, floorJob, LEVELS[1]);
  } finally {
    await floor.close();
  }

  const result: ListTasksResult = {
    tasks: TASKS,
    ...oneClient.level,
    responseBytes: oneClient.responseBytes,
    tenClients: tenClients.level,
    tenClientsGzip: tenClientsGzip.level,
    floors: { sqliteQuery, stringify, httpOneClient: httpOneClient.level, httpTenClients: httpTenClients.level },
  };
  const served = (name: string, level: ListTasksLevel, bytes: number) =>
    [name, level.count, level.p50, level.p95, level.p99, level.max, Math.round(level.requestsPerSecond), Math.round(bytes / 1024), level.errors];
  const inProcess = (name: string, summary: LatencySummary) => [name, summary.count, summary.p50, summary.p95, summary.p99, summary.max, '', '', ''];
  printTable(
    `2. List tasks (GET ${path.replace(projectId, '<id>')}, ${TASKS} tasks, closed loop, keep-alive; latency in ms)`,
    ['what', 'requests', 'p50', 'p95', 'p99', 'max', 'req/s', 'body KB', 'errors'],
    [
      served('server, 1 client', oneClient.level, oneClient.responseBytes),
      served('server, 10 clients', tenClients.level, tenClients.responseBytes),
      served('server, 10 clients asking for gzip', tenClientsGzip.level, tenClientsGzip.responseBytes),
      inProcess(`floor: better-sqlite3 alone, the same ${TASKS.toLocaleString('en-US')} rows as objects, from the server's file`, sqliteQuery),
      inProcess('floor: JSON.stringify of the same payload', stringify),
      served('floor: node:http answering the same bytes, 1 client', httpOneClient.level, httpOneClient.responseBytes),
      served('floor: node:http answering the same bytes, 10 clients', httpTenClients.level, httpTenClients.responseBytes),
    ],
  );
  return result;
}

type MeasuredJob = Pick<LoadJob, 'baseUrl' | 'method' | 'paths' | 'expectStatus' | 'timeLimitMs' | 'headers'>;
type MeasuredLevel = { level: ListTasksLevel; responseBytes: number };

async function runLevel(client: LoadClient, job: MeasuredJob, level: (typeof LEVELS)[number]): Promise<MeasuredLevel> {
  const result = await client.run({ ...job, concurrency: level.clients, warmup: level.warmup, count: level.count });
  const done = result.latenciesMs.length;
  return {
    level: { clients: level.clients, ...summarize(result.latenciesMs), requestsPerSecond: done / (result.wallMs / 1000), errors: result.errors + (result.timedOut ? level.count - done : 0) },
    responseBytes: result.responseBytes / Math.max(1, done),
  };
}

async function bodyOf(url: string): Promise<string> {
  const agent = new http.Agent({ keepAlive: false });
  try {
    const response = await request(agent, url, 'GET');
    if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${response.body.slice(0, 300)}`);
    return response.body;
  } finally {
    agent.destroy();
  }
}

/** The listing's query on the server's file, opened read-only beside it (WAL lets a reader in while the server holds it). */
function timeBareQuery(databaseFile: string, projectId: string): LatencySummary {
  const database = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const statement = database.prepare(LISTING_SQL);
    const found = statement.all(projectId, TASKS).length;
    if (found !== TASKS) throw new Error(`the bare query found ${found} tasks, expected ${TASKS}`);
    return timeInProcess(() => statement.all(projectId, TASKS));
  } finally {
    database.close();
  }
}

/** `work` run back to back in this process, the first runs unmeasured (V8 optimizes them). */
function timeInProcess(work: () => unknown): LatencySummary {
  for (let i = 0; i < IN_PROCESS_WARMUP; i++) work();
  const ms: number[] = [];
  for (let i = 0; i < IN_PROCESS_RUNS; i++) {
    const start = process.hrtime.bigint();
    work();
    ms.push(msSince(start));
  }
  return summarize(ms);
}

/** The HTTP floor: node:http on loopback answering every request with `body`, headers as the server sends them. */
async function serveBody(body: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
