import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadClient } from '../load-client-process.ts';
import { msSince, summarize, type LatencySummary } from '../stats.ts';
import { printTable } from '../table.ts';

/** The physical limit under the route: the same writes straight into SQLite, no server. */
export interface BareInsertFloor extends LatencySummary {
  insertsPerSecond: number;
}

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

const FLOOR_INSERTS = 20_000;

/**
 * What one task creation writes (a task row and its event, one transaction), straight into a
 * better-sqlite3 file with the server's pragmas: the floor no server on this machine can beat.
 */
function bareInsertFloor(): BareInsertFloor {
  const dir = mkdtempSync(join(tmpdir(), 'forge-bench-sqlite-'));
  try {
    const Database = createRequire(import.meta.url)('better-sqlite3') as new (file: string) => {
      pragma(sql: string): unknown;
      exec(sql: string): void;
      prepare(sql: string): { run(...values: unknown[]): unknown };
      transaction<T extends unknown[]>(work: (...args: T) => void): (...args: T) => void;
      close(): void;
    };
    const db = new Database(join(dir, 'floor.sqlite'));
    for (const pragma of ['journal_mode = WAL', 'synchronous = NORMAL', 'foreign_keys = ON']) db.pragma(pragma);
    db.exec(`create table tasks (id text primary key, project_id text not null, title text not null, description text, status text not null,
               priority integer not null, created_at text not null, updated_at text not null);
             create table events (id integer primary key autoincrement, type text not null, subject text not null, data text not null, at text not null)`);
    const insertTask = db.prepare('insert into tasks values (?, ?, ?, ?, ?, ?, ?, ?)');
    const insertEvent = db.prepare('insert into events (type, subject, data, at) values (?, ?, ?, ?)');
    const create = db.transaction((i: number) => {
      const at = new Date().toISOString();
      const id = `task-${i.toString(36).padStart(10, '0')}`;
      insertTask.run(id, 'project', `Bench task ${i}`, 'Created by npm run bench.', 'todo', 0, at, at);
      insertEvent.run('task.created', id, JSON.stringify({ id, title: `Bench task ${i}` }), at);
    });
    const latencies: number[] = [];
    const began = process.hrtime.bigint();
    for (let i = 0; i < FLOOR_INSERTS; i++) {
      const start = process.hrtime.bigint();
      create(i);
      latencies.push(msSince(start));
    }
    const wallMs = msSince(began);
    db.close();
    return { ...summarize(latencies), insertsPerSecond: FLOOR_INSERTS / (wallMs / 1000) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 1. POST /tasks in a closed loop at 1, 10 and 50 clients, beside the bare SQLite writes it makes. */
export async function benchTaskCreation(client: LoadClient, baseUrl: string, projectId: string): Promise<{ levels: TaskCreationLevel[]; floor: BareInsertFloor }> {
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
  const floor = bareInsertFloor();
  printTable(
    '1. Task creation (POST /api/v1/tasks, closed loop, keep-alive; latency in ms)',
    ['clients', 'requests', 'p50', 'p95', 'p99', 'max', 'req/s', 'errors'],
    [
      ...levels.map((l) => [l.clients, l.count, l.p50, l.p95, l.p99, l.max, Math.round(l.requestsPerSecond), l.errors]),
      ['floor: the task row and its event straight into SQLite, no server', FLOOR_INSERTS, floor.p50, floor.p95, floor.p99, floor.max, Math.round(floor.insertsPerSecond), 0],
    ],
  );
  for (const l of levels) if (l.firstError || l.timedOut) console.log(`   ${l.clients} clients: ${l.timedOut ? 'stopped by the time limit; ' : ''}${l.firstError ?? ''}`);
  return { levels, floor };
}
