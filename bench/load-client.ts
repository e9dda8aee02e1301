// The load generator, run as its own process (see load-client-process.ts) so that its event
// loop never competes with the server's or with the parent's RSS sampling.
import http from 'node:http';
import { request } from './http.ts';
import type { LoadJob, LoadReplyMessage, LoadRequestMessage, LoadResult } from './load-job.ts';
import { msSince } from './stats.ts';

/**
 * Sends requests `first` to `first + count - 1` from `job.concurrency` closed-loop clients. With no
 * `result` (the warm-up) nothing is recorded and a failed request aborts the run. Returns whether
 * the deadline stopped it before the last request.
 */
async function phase(job: LoadJob, agent: http.Agent, first: number, count: number, deadline: number, result: LoadResult | null) {
  let next = first;
  const end = first + count;
  const client = async () => {
    while (next < end && Date.now() < deadline) {
      const i = next++;
      const path = job.paths[i % job.paths.length]!;
      const body = job.bodyTemplate?.replaceAll('{i}', String(i));
      const start = process.hrtime.bigint();
      try {
        const res = await request(agent, job.baseUrl + path, job.method, body, job.headers);
        const ms = msSince(start);
        if (!result) continue;
        result.latenciesMs.push(ms);
        result.responseBytes += Buffer.byteLength(res.body);
        if (job.keepBodies) result.bodies.push(res.body);
        if (res.status !== job.expectStatus || job.errorMarkers?.some((marker) => res.body.includes(marker))) {
          result.errors++;
          result.firstError ??= `${job.method} ${path} answered ${res.status}: ${res.body.slice(0, 300)}`;
        }
      } catch (error) {
        if (!result) throw error;
        result.errors++;
        result.firstError ??= `${job.method} ${path} failed: ${(error as Error).message}`;
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, client));
  return next < end;
}

async function run(job: LoadJob): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const deadline = Date.now() + job.timeLimitMs;
  const result: LoadResult = { latenciesMs: [], wallMs: 0, startedAtEpochMs: 0, responseBytes: 0, errors: 0, firstError: null, timedOut: false, bodies: [] };
  try {
    await phase(job, agent, 0, job.warmup, deadline, null);
    if (job.preconnectPath) {
      const path = job.preconnectPath;
      await Promise.all(Array.from({ length: job.concurrency }, () => request(agent, job.baseUrl + path, 'GET')));
    }
    result.startedAtEpochMs = Date.now();
    const start = process.hrtime.bigint();
    result.timedOut = await phase(job, agent, job.warmup, job.count, deadline, result);
    result.wallMs = msSince(start);
    return result;
  } finally {
    agent.destroy();
  }
}

process.on('message', (message: LoadRequestMessage) => {
  run(message.job).then(
    (result) => process.send!({ id: message.id, result } satisfies LoadReplyMessage),
    (error: Error) => process.send!({ id: message.id, error: error.message } satisfies LoadReplyMessage),
  );
});
// The parent disconnecting is the signal to go; nothing else keeps this process alive.
process.on('disconnect', () => process.exit(0));
