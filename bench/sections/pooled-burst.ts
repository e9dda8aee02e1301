import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Attempt, ForgeApi } from '../api.ts';
import type { LoadClient } from '../load-client-process.ts';
import { RssSampler } from '../rss.ts';
import { summarize, type LatencySummary } from '../stats.ts';
import { printTable } from '../table.ts';
import { startAllAndWait } from './concurrent-attempts.ts';

export interface PooledBurstResult {
  attempts: number;
  succeeded: number;
  /** How long the idle server took to prepare the pool of the 2,000-file repository. */
  fillMs: number;
  wallMs: number;
  endToEnd: LatencySummary;
  /** 50 x (a take from the pool + the agent + the commit, each alone) / cores. */
  boundMs: number;
  peakRssMb: number;
}

const ATTEMPTS = 50;
const FILL_LIMIT_MS = 300_000;
const FILL_POLL_MS = 200;
const RSS_SAMPLE_MS = 50;

/** Waits until the project's warm pool holds `size` ready slots. */
async function poolFilled(home: string, projectId: string, size: number): Promise<void> {
  const dir = join(home, 'worktrees', projectId, '.pool');
  const deadline = Date.now() + FILL_LIMIT_MS;
  for (;;) {
    const slots = (() => {
      try {
        return readdirSync(dir).filter((name) => name.startsWith('slot-')).length;
      } catch {
        return 0;
      }
    })();
    if (slots >= size) return;
    if (Date.now() > deadline) throw new Error(`the warm pool of ${projectId} holds ${slots} of ${size} slots after ${FILL_LIMIT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, FILL_POLL_MS));
  }
}

/**
 * 5b. Section 5's burst again, on a server with FORGE_WORKTREE_POOL_SIZE=50 that prepared the
 * pool while idle (decision 0042): the same 50 attempts, each taking a ready worktree. One
 * warm-up burst on the small repository first (the server is new), then both pools are full again.
 */
export async function benchPooledBurst(
  client: LoadClient,
  api: ForgeApi,
  home: string,
  projectId: string,
  warmUpProjectId: string,
  serverPid: number,
  parts: { takeMs: number; agentMs: number; commitMs: number; cores: number },
): Promise<PooledBurstResult> {
  const fillStarted = Date.now();
  await poolFilled(home, projectId, ATTEMPTS);
  const fillMs = Date.now() - fillStarted;
  await poolFilled(home, warmUpProjectId, ATTEMPTS);
  const warmUpTasks: string[] = [];
  for (let i = 0; i < ATTEMPTS; i++) warmUpTasks.push(await api.createTask(warmUpProjectId, `Pooled warm-up ${i}`, `write warm-${i}.md warm`));
  await startAllAndWait(client, api, warmUpProjectId, warmUpTasks);
  await poolFilled(home, warmUpProjectId, ATTEMPTS);

  const taskIds: string[] = [];
  for (let i = 0; i < ATTEMPTS; i++) taskIds.push(await api.createTask(projectId, `Pooled attempt ${i}`, `write out/pooled-${i}.md Written by attempt ${i}`));
  const sampler = new RssSampler(serverPid, RSS_SAMPLE_MS);
  const starts = await startAllAndWait(client, api, projectId, taskIds).finally(() => sampler.stop());
  const started = starts.bodies.map((body) => JSON.parse(body) as Partial<Attempt>).flatMap((a) => (a.id ? [a.id] : []));
  const finished = await Promise.all(started.map((id) => api.attempt(id)));
  const finishedAt = finished.map((a) => (a.finishedAt ? Date.parse(a.finishedAt) : Number.NaN));
  const result: PooledBurstResult = {
    attempts: ATTEMPTS,
    succeeded: finished.filter((a) => a.state === 'succeeded').length,
    fillMs,
    wallMs: Math.max(...finishedAt) - starts.startedAtEpochMs,
    endToEnd: summarize(finishedAt.map((at) => at - starts.startedAtEpochMs)),
    boundMs: (ATTEMPTS * (parts.takeMs + parts.agentMs + parts.commitMs)) / parts.cores,
    peakRssMb: sampler.peakMb,
  };
  printTable(
    `5b. The same ${ATTEMPTS} attempts from a warm pool of ${ATTEMPTS} (FORGE_WORKTREE_POOL_SIZE=${ATTEMPTS}), prepared while the server was idle`,
    ['measure', 'value'],
    [
      ['the idle server filling the pool of 50 (ms)', result.fillMs],
      ['succeeded', `${result.succeeded}/${ATTEMPTS}`],
      ['wall time, first POST -> last final (ms)', result.wallMs],
      ['per attempt, POSTs sent -> final, p50 (ms)', result.endToEnd.p50],
      [`bound: ${ATTEMPTS} x (take from the pool, section 3 + agent + commit, section 5) / ${parts.cores} cores (ms)`, result.boundMs],
      ['wall / bound', result.wallMs / result.boundMs],
      [`server peak RSS (MB)`, result.peakRssMb],
    ],
  );
  return result;
}
