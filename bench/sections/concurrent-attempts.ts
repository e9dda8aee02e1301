import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Attempt, ForgeApi } from '../api.ts';
import { burstBound, cpuTimes, measureBurstParts, type BurstBound } from '../burst-bound.ts';
import type { LoadClient } from '../load-client-process.ts';
import type { LoadResult } from '../load-job.ts';
import { RssSampler, readRssMb } from '../rss.ts';
import { summarize, type LatencySummary } from '../stats.ts';
import { printTable } from '../table.ts';

export interface ConcurrentAttemptsResult {
  attempts: number;
  startRequest: LatencySummary;
  /** The same burst as the very first work of a fresh server (cold JIT, cold caches). */
  firstBurstStartRequest: LatencySummary;
  startErrors: number;
  succeeded: number;
  failures: string[];
  /** From the first POST sent to the last attempt's finishedAt. */
  wallMs: number;
  /** Per attempt, from the POSTs sent to its finishedAt. */
  endToEnd: LatencySummary;
  /** CPU time during the burst: the server's own, and its children's (git, the agents) once they exited. */
  serverCpuMs: number;
  childrenCpuMs: number;
  bound: BurstBound;
  rssBeforeMb: number;
  peakRssMb: number;
  rssSamples: number;
  /** Once the last attempt is final, and SETTLE_MS later. */
  rssAfterMb: number;
  rssSettledMb: number;
}

const ATTEMPTS = 50;
const WARM_UP_BURSTS = 4;
const RSS_SAMPLE_MS = 50;
// The task list is one cheap request for all 50; polling each attempt would load the server we measure.
const POLL_MS = 100;
const TIME_LIMIT_MS = 120_000;
const SETTLE_MS = 2_000;
// Half before the burst and half after: a burst's tens of thousands of files created and deleted
// can leave the filesystem slower to create files in for a while, which the parts pay too.
const BOUND_RUNS_EACH_SIDE = 5;
const prompt = (i: number) => `write out/parallel-${i}.md Written by attempt ${i}`;

/** 5. 50 fake-agent attempts started by 50 parallel POSTs on the 2,000-file repository. */
export async function benchConcurrentAttempts(
  client: LoadClient,
  api: ForgeApi,
  projectId: string,
  warmUpProjectId: string,
  serverPid: number,
): Promise<ConcurrentAttemptsResult> {
  // Warm-up bursts of 50 on a small repository, each waited for, so the start route, scheduler,
  // git and agent paths are as warm as on a server in use (the JIT keeps improving over the
  // first few hundred starts). The first burst, on the fresh server, is kept and printed too.
  let firstBurst: LoadResult | null = null;
  for (let burst = 0; burst < WARM_UP_BURSTS; burst++) {
    const warmUpTasks: string[] = [];
    for (let i = 0; i < ATTEMPTS; i++) warmUpTasks.push(await api.createTask(warmUpProjectId, `Warm-up ${burst}.${i}`, `write warm-${i}.md warm`));
    const result = await startAllAndWait(client, api, warmUpProjectId, warmUpTasks);
    firstBurst ??= result;
  }

  const taskIds: string[] = [];
  for (let i = 0; i < ATTEMPTS; i++) taskIds.push(await api.createTask(projectId, `Parallel attempt ${i}`, prompt(i)));
  // The parts alone, on the same repository and base, with the server idle: the burst's physical limit.
  const project = (await (await fetch(`${api.baseUrl}/api/v1/projects/${projectId}`)).json()) as { repoPath: string };
  const parts = (first: number) => mkdtemp(join(tmpdir(), 'forge-bench-bound-')).then((dir) => measureBurstParts(project.repoPath, 'main', dir, BOUND_RUNS_EACH_SIDE, first, prompt));
  const partsBefore = await parts(0);

  const rssBeforeMb = readRssMb(serverPid);
  const cpuBefore = cpuTimes(serverPid);
  const sampler = new RssSampler(serverPid, RSS_SAMPLE_MS);
  const starts = await startAllAndWait(client, api, projectId, taskIds).finally(() => sampler.stop());
  const cpuAfter = cpuTimes(serverPid);
  const rssAfterMb = readRssMb(serverPid);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const rssSettledMb = readRssMb(serverPid);
  const started = starts.bodies.map((body) => JSON.parse(body) as Partial<Attempt>).flatMap((a) => (a.id ? [a.id] : []));
  const finished = await Promise.all(started.map((id) => api.attempt(id)));

  const succeeded = finished.filter((a) => a.state === 'succeeded');
  const finishedAt = finished.map((a) => (a.finishedAt ? Date.parse(a.finishedAt) : Number.NaN));
  const lastFinish = Math.max(...finishedAt);
  const bound = burstBound([partsBefore, await parts(BOUND_RUNS_EACH_SIDE + 1)], ATTEMPTS);
  const result: ConcurrentAttemptsResult = {
    attempts: ATTEMPTS,
    startRequest: summarize(starts.latenciesMs),
    firstBurstStartRequest: summarize(firstBurst!.latenciesMs),
    startErrors: starts.errors,
    succeeded: succeeded.length,
    failures: finished.filter((a) => a.state !== 'succeeded').map((a) => `${a.id}: ${a.state} ${a.error?.code ?? ''} ${a.error?.message ?? ''}`.trim()),
    wallMs: lastFinish - starts.startedAtEpochMs,
    endToEnd: summarize(finishedAt.map((at) => at - starts.startedAtEpochMs)),
    serverCpuMs: cpuAfter.ownMs - cpuBefore.ownMs,
    childrenCpuMs: cpuAfter.childrenMs - cpuBefore.childrenMs,
    bound,
    rssBeforeMb,
    peakRssMb: sampler.peakMb,
    rssSamples: sampler.samples,
    rssAfterMb,
    rssSettledMb,
  };
  printTable(
    `5. ${ATTEMPTS} attempts at once, fake agent, 2,000-file repo, FORGE_MAX_CONCURRENT_ATTEMPTS=${ATTEMPTS}`,
    ['measure', 'value'],
    [
      ['first burst on a fresh server: start p50 (ms)', result.firstBurstStartRequest.p50],
      ['first burst on a fresh server: start p95 (ms)', result.firstBurstStartRequest.p95],
      ['start request p50 (ms, clients connected)', result.startRequest.p50],
      ['start request p95 (ms)', result.startRequest.p95],
      ['start request max (ms)', result.startRequest.max],
      ['start request errors', result.startErrors],
      ['succeeded', `${result.succeeded}/${ATTEMPTS}`],
      ['wall time, first POST -> last final (ms)', result.wallMs],
      ['per attempt, POSTs sent -> final, p50 (ms)', result.endToEnd.p50],
      [`alone, p50 of ${bound.runs}: worktree add --no-checkout + reset --hard (ms)`, bound.worktreeMs],
      [`alone, p50 of ${bound.runs}: the fake agent's CLI in the worktree (ms)`, bound.agentMs],
      [`alone, p50 of ${bound.runs}: git add --all + git commit (ms)`, bound.commitMs],
      [`bound: ${ATTEMPTS} x their sum / ${bound.cores} cores (ms)`, bound.boundMs],
      ['wall / bound (target <= 1.3)', result.wallMs / bound.boundMs],
      ['CPU during the burst: the server itself (ms)', result.serverCpuMs],
      ['CPU during the burst: its children, git and agents (ms)', result.childrenCpuMs],
      ['server RSS before (MB)', result.rssBeforeMb],
      [`server peak RSS (MB, ${result.rssSamples} samples)`, result.peakRssMb],
      ['server RSS once the last attempt is final (MB)', result.rssAfterMb],
      [`server RSS ${SETTLE_MS / 1000} s later (MB)`, result.rssSettledMb],
    ],
  );
  for (const failure of result.failures.slice(0, 5)) console.log(`   not succeeded: ${failure}`);
  if (starts.firstError) console.log(`   first start error: ${starts.firstError}`);
  return result;
}

export async function startAllAndWait(client: LoadClient, api: ForgeApi, projectId: string, taskIds: string[]): Promise<LoadResult> {
  const starts = await client.run({
    baseUrl: api.baseUrl,
    method: 'POST',
    paths: taskIds.map((id) => `/api/v1/tasks/${id}/attempts`),
    bodyTemplate: JSON.stringify({ executor: 'fake-agent', options: {} }),
    concurrency: taskIds.length,
    warmup: 0,
    // Clients already connected, as a UI or an orchestrating agent holding a connection is.
    preconnectPath: '/api/v1/health',
    count: taskIds.length,
    expectStatus: 202,
    timeLimitMs: TIME_LIMIT_MS,
    keepBodies: true,
  });
  // A task goes to review once its attempts are all final, so one list shows when every started one is done.
  const startedTasks = new Set(starts.bodies.map((body) => (JSON.parse(body) as Partial<Attempt>).taskId));
  const deadline = Date.now() + TIME_LIMIT_MS;
  for (;;) {
    const tasks = (await api.listTasks(projectId)).filter((t) => startedTasks.has(t.id));
    if (tasks.every((t) => t.status === 'inreview') || Date.now() > deadline) return starts;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
