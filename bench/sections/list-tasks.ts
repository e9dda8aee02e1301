import type { ForgeApi } from '../api.ts';
import type { LoadClient } from '../load-client-process.ts';
import { summarize, type LatencySummary } from '../stats.ts';
import { printTable } from '../table.ts';

export interface ListTasksResult extends LatencySummary {
  tasks: number;
  responseBytes: number;
  errors: number;
}

const TASKS = 1_000;
const TIME_LIMIT_MS = 60_000;

/** 2. GET /tasks?limit=1000 on a project holding exactly 1,000 tasks, one client. */
export async function benchListTasks(client: LoadClient, api: ForgeApi, projectId: string): Promise<ListTasksResult> {
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
  const result = await client.run({
    baseUrl: api.baseUrl,
    method: 'GET',
    paths: [path],
    concurrency: 1,
    warmup: 30,
    count: 300,
    expectStatus: 200,
    timeLimitMs: TIME_LIMIT_MS,
  });
  const summary: ListTasksResult = {
    tasks: TASKS,
    ...summarize(result.latenciesMs),
    responseBytes: result.responseBytes / Math.max(1, result.latenciesMs.length),
    errors: result.errors,
  };
  printTable(
    `2. List tasks (GET ${path.replace(projectId, '<id>')}, 1 client; latency in ms)`,
    ['tasks', 'requests', 'p50', 'p95', 'p99', 'max', 'body KB', 'errors'],
    [[summary.tasks, summary.count, summary.p50, summary.p95, summary.p99, summary.max, Math.round(summary.responseBytes / 1024), summary.errors]],
  );
  return summary;
}
