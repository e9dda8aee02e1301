import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fakeClaudeInvocation } from '../../plugins/executor-fake-agent/src/fake-claude-invocation.ts';
import type { ForgeApi } from '../api.ts';
import { makeSmallRepo } from '../fixtures.ts';
import { fakeAgentEvents } from '../in-memory-agent.ts';
import { readLogStream } from '../log-stream-reader.ts';
import { RssSampler, readRssMb } from '../rss.ts';
import { msSince, summarize } from '../stats.ts';
import { printTable } from '../table.ts';

export interface EventPipelineResult {
  lines: number;
  transcriptMegabytes: number;
  attemptState: string;
  /** Events the fake-agent executor yields for the transcript in this process, `done` included. */
  parsedOffline: number;
  /** `entry` events the live log stream delivered, and the last one's seq. */
  streamed: number;
  lastStreamedSeq: number;
  /** Entries GET /attempts/{id}/logs pages through afterwards. */
  stored: number;
  countsMatch: boolean;
  /** Over SSE, from the first entry received to the last. */
  eventsPerSecond: number;
  /** From the start POST being sent: worktree, agent start, first line through the pipeline. */
  toFirstEventMs: number;
  /** From the start POST being sent to the last entry received. */
  totalMs: number;
  rssBeforeMb: number;
  peakRssMb: number;
  rssSamples: number;
  /** The fake `claude` replaying the transcript into /dev/null, start-up included: the physical limit. */
  cliAloneLinesPerSecond: number;
}

const TRANSCRIPT_FILE = 'transcript.jsonl';
// A prompt line the fake CLI obeys: print the transcript, nothing else.
const REPLAY_PROMPT = `replay ${TRANSCRIPT_FILE}`;
const CLI_RUNS = 3;
const RSS_SAMPLE_MS = 50;
const POLL_MS = 50;
const TIME_LIMIT_MS = 300_000;

/** The fake CLI alone, spawned exactly as the executor spawns it, printing into /dev/null. */
async function cliAloneMs(repo: string): Promise<number> {
  const { command, args, spawnOptions } = fakeClaudeInvocation(REPLAY_PROMPT, { scenario: 'success', delayMs: 0, ignoreSigterm: false, model: undefined, rateLimitedRuns: undefined, rateLimitResetMs: undefined });
  const devNull = openSync('/dev/null', 'w');
  try {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: repo, env: { PATH: process.env['PATH'] ?? '', ...spawnOptions.env }, stdio: ['pipe', devNull, 'pipe'] });
    child.stdin!.end(spawnOptions.stdin);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve));
    if (code !== 0) throw new Error(`the fake claude replay exited with ${code}: ${stderr}`);
    return msSince(start);
  } finally {
    closeSync(devNull);
  }
}

/**
 * 7. A 100,000-line Claude Code session replayed by the fake `claude` as fast as it prints,
 * as a real attempt on a fresh server: every line parsed by the executor, validated at the
 * boundary, stored and published, and read back live by an SSE client.
 */
export async function benchEventPipeline(api: ForgeApi, serverPid: number, repoDir: string, transcript: readonly string[]): Promise<EventPipelineResult> {
  const text = `${transcript.join('\n')}\n`;
  makeSmallRepo(repoDir, { [TRANSCRIPT_FILE]: text });
  const projectId = await api.createProject('bench-replay', repoDir);

  let parsedOffline = 0;
  for await (const _ of fakeAgentEvents(transcript)) parsedOffline++;
  const cliRuns: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) cliRuns.push(await cliAloneMs(repoDir));
  const cliMs = summarize(cliRuns);

  // An ordinary attempt first, so the start path (scheduler, worktree, spawn) is not cold.
  const warmUp = await api.startAttempt(await api.createTask(projectId, 'Warm-up', 'write warm-up.md warm'), 'fake-agent');
  await api.waitForAttempt(warmUp.id, POLL_MS, TIME_LIMIT_MS);

  const taskId = await api.createTask(projectId, 'Replay a recorded session', REPLAY_PROMPT);
  const rssBeforeMb = readRssMb(serverPid);
  const sampler = new RssSampler(serverPid, RSS_SAMPLE_MS);
  const sentAt = process.hrtime.bigint();
  const attempt = await api.startAttempt(taskId, 'fake-agent');
  const reading = await readLogStream(`${api.baseUrl}/api/v1/attempts/${attempt.id}/logs/stream`, TIME_LIMIT_MS).finally(() => sampler.stop());
  const final = await api.waitForAttempt(attempt.id, POLL_MS, TIME_LIMIT_MS);
  const stored = await api.storedEntryCount(attempt.id);

  const seconds = (from: bigint, to: bigint) => Number(to - from) / 1e9;
  const result: EventPipelineResult = {
    lines: transcript.length,
    transcriptMegabytes: Buffer.byteLength(text) / 1024 / 1024,
    attemptState: final.state,
    parsedOffline,
    streamed: reading.entries,
    lastStreamedSeq: reading.lastSeq,
    stored,
    countsMatch: reading.entries === stored && stored === parsedOffline && reading.lastSeq === reading.entries,
    eventsPerSecond: (reading.entries - 1) / seconds(reading.firstEntryAt, reading.lastEntryAt),
    toFirstEventMs: seconds(sentAt, reading.firstEntryAt) * 1000,
    totalMs: seconds(sentAt, reading.lastEntryAt) * 1000,
    rssBeforeMb,
    peakRssMb: sampler.peakMb,
    rssSamples: sampler.samples,
    cliAloneLinesPerSecond: transcript.length / (cliMs.p50 / 1000),
  };
  printTable(
    `7. Full event pipeline: a ${result.lines.toLocaleString('en-US')}-line Claude Code session (${result.transcriptMegabytes.toFixed(0)} MB) replayed by the fake claude through forgecore serve, read live over SSE`,
    ['measure', 'value'],
    [
      ['events/s over SSE, first -> last event', Math.round(result.eventsPerSecond)],
      ['start POST sent -> first event (ms)', result.toFirstEventMs],
      ['start POST sent -> last event (s)', result.totalMs / 1000],
      ['events streamed / stored / parsed offline', `${result.streamed} / ${result.stored} / ${result.parsedOffline}`],
      ['attempt final state', result.attemptState],
      ['server RSS before (MB)', result.rssBeforeMb],
      [`server peak RSS (MB, ${result.rssSamples} samples)`, result.peakRssMb],
      [`fake claude alone into /dev/null (lines/s, p50 of ${CLI_RUNS}, start-up included)`, Math.round(result.cliAloneLinesPerSecond)],
    ],
  );
  if (!result.countsMatch) console.log(`   !! counts differ: streamed ${result.streamed} (last seq ${result.lastStreamedSeq}), stored ${result.stored}, parsed offline ${result.parsedOffline}`);
  return result;
}
