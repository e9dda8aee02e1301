import type { ForgeApi } from '../api.ts';
import { summarize, type LatencySummary } from '../stats.ts';
import { printTable } from '../table.ts';

export interface AttemptE2EResult {
  attempts: number;
  succeeded: number;
  /** From the POST being sent to the attempt's final state (its server-stamped finishedAt). */
  endToEnd: LatencySummary;
  /** POST sent → queued row written. */
  toQueued: LatencySummary;
  /** Queued → claimed by the scheduler (startedAt). */
  queued: LatencySummary;
  /** Claimed → final: worktree, agent, commit. */
  running: LatencySummary;
  /** Claimed → worktree ready (worktreeReadyAt). */
  worktree: LatencySummary;
  /** Worktree ready → agent started (agentStartedAt): the setup script, if any. */
  setup: LatencySummary;
  /** Agent started → final: the agent, the commit of its work, the cleanup script. */
  agent: LatencySummary;
}

const ATTEMPTS = 20;
const WARMUP = 2;
// Only tells us when to look; the times themselves come from the attempt's own timestamps.
const POLL_MS = 25;
const ATTEMPT_TIME_LIMIT_MS = 60_000;

/** 4. One fake-agent attempt at a time through the real server, start to final state. */
export async function benchAttemptE2E(api: ForgeApi, projectId: string): Promise<AttemptE2EResult> {
  const samples: { endToEnd: number; toQueued: number; queued: number; running: number; worktree: number; setup: number; agent: number; state: string }[] = [];
  for (let i = -WARMUP; i < ATTEMPTS; i++) {
    const taskId = await api.createTask(projectId, `Sequential attempt ${i}`, `write notes/attempt-${i}.md Written by attempt ${i}`);
    const sentAt = Date.now();
    const queued = await api.startAttempt(taskId, 'fake-agent');
    const done = await api.waitForAttempt(queued.id, POLL_MS, ATTEMPT_TIME_LIMIT_MS);
    if (i < 0) continue;
    const created = Date.parse(done.createdAt);
    const started = Date.parse(done.startedAt ?? done.createdAt);
    const finished = Date.parse(done.finishedAt ?? done.createdAt);
    const worktreeReady = Date.parse(done.worktreeReadyAt ?? done.finishedAt ?? done.createdAt);
    const agentStarted = Date.parse(done.agentStartedAt ?? done.finishedAt ?? done.createdAt);
    samples.push({
      endToEnd: finished - sentAt,
      toQueued: created - sentAt,
      queued: started - created,
      running: finished - started,
      worktree: worktreeReady - started,
      setup: agentStarted - worktreeReady,
      agent: finished - agentStarted,
      state: done.state,
    });
  }
  const result: AttemptE2EResult = {
    attempts: samples.length,
    succeeded: samples.filter((s) => s.state === 'succeeded').length,
    endToEnd: summarize(samples.map((s) => s.endToEnd)),
    toQueued: summarize(samples.map((s) => s.toQueued)),
    queued: summarize(samples.map((s) => s.queued)),
    running: summarize(samples.map((s) => s.running)),
    worktree: summarize(samples.map((s) => s.worktree)),
    setup: summarize(samples.map((s) => s.setup)),
    agent: summarize(samples.map((s) => s.agent)),
  };
  printTable(
    `4. Attempt end to end, fake agent, small repo, ${ATTEMPTS} sequential (ms; ${result.succeeded}/${result.attempts} succeeded)`,
    ['phase', 'p50', 'p95', 'max'],
    [
      ['POST sent -> final state', result.endToEnd.p50, result.endToEnd.p95, result.endToEnd.max],
      ['  POST sent -> queued row', result.toQueued.p50, result.toQueued.p95, result.toQueued.max],
      ['  queued -> claimed', result.queued.p50, result.queued.p95, result.queued.max],
      ['  claimed -> final', result.running.p50, result.running.p95, result.running.max],
      ['    claimed -> worktree ready', result.worktree.p50, result.worktree.p95, result.worktree.max],
      ['    worktree ready -> agent started', result.setup.p50, result.setup.p95, result.setup.max],
      ['    agent started -> final', result.agent.p50, result.agent.p95, result.agent.max],
    ],
  );
  return result;
}
