import type { LoadClient } from '../load-client-process.ts';
import { summarize, type LatencySummary } from '../stats.ts';
import { printTable } from '../table.ts';

export interface TaskCreationLevel extends LatencySummary {
  clients: number;
  requestsPerSecond: number;
  errors: number;
  firstError: string | null;
  timedOut: boolean;
}

// The first level's warm-up is long because the server's create path (hapi, joi, knex) needs
// ~2,500 requests before V8 has optimized it; measured earlier, p95 is that of a cold server.
const LEVELS = [
  { clients: 1, warmup: 3_000, count: 2_000 },
  { clients: 10, warmup: 500, count: 6_000 },
  { clients: 50, warmup: 1_000, count: 6_000 },
];
const TIME_LIMIT_MS = 60_000;

/** 1. POST /tasks in a closed loop at 1, 10 and 50 clients. */
export async function benchTaskCreation(client: LoadClient, baseUrl: string, projectId: string): Promise<TaskCreationLevel[]> {
  const levels: TaskCreationLevel[] = [];
  for (const level of LEVELS) {
    const result = await client.run({
      baseUrl,
      method: 'POST',
      paths: ['/api/v1/tasks'],
      bodyTemplate: JSON.stringify({ projectId, title: 'Bench task {i}', description: 'Created by npm run bench.' }),
      concurrency: level.clients,
      warmup: level.warmup,
      count: level.count,
      expectStatus: 201,
      timeLimitMs: TIME_LIMIT_MS,
    });
    levels.push({
      clients: level.clients,
      ...summarize(result.latenciesMs),
      requestsPerSecond: result.latenciesMs.length / (result.wallMs / 1000),
      errors: result.errors,
      firstError: result.firstError,
      timedOut: result.timedOut,
    });
  }
  printTable(
    '1. Task creation (POST /api/v1/tasks, closed loop, keep-alive; latency in ms)',
    ['clients', 'requests', 'p50', 'p95', 'p99', 'max', 'req/s', 'errors'],
    levels.map((l) => [l.clients, l.count, l.p50, l.p95, l.p99, l.max, Math.round(l.requestsPerSecond), l.errors]),
  );
  for (const l of levels) if (l.firstError || l.timedOut) console.log(`   ${l.clients} clients: ${l.timedOut ? 'stopped by the time limit; ' : ''}${l.firstError ?? ''}`);
  return levels;
}
