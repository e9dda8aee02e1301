import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ExecutorEvent, RunContext } from '@forge-core/sdk';
import { createFakeRunContext } from '@forge-core/sdk/testing';
import { acp, acpOptionShape } from '../../plugins/executor-acp/src/index.ts';
import { claudeCode } from '../../plugins/executor-claude-code/src/index.ts';
import { codex, codexOptionShape } from '../../plugins/executor-codex/src/index.ts';
import { acpTranscript } from '../acp-transcript.ts';
import { ForgeApi } from '../api.ts';
import { answerApprovals } from '../approval-answerer.ts';
import { claudeApprovalTranscript, codexApprovalTranscript } from '../approval-transcripts.ts';
import { codexTranscript } from '../codex-transcript.ts';
import { makeSmallRepo } from '../fixtures.ts';
import { countEvents, inMemoryRunContext } from '../in-memory-run-context.ts';
import { readLogStream } from '../log-stream-reader.ts';
import { ReplayClis, type ReplayedCli } from '../replay-clis.ts';
import { RssSampler, readRssMb } from '../rss.ts';
import { startForge } from '../server-process.ts';
import { msSince, summarize, type LatencySummary } from '../stats.ts';
import { printTable } from '../table.ts';

export interface LongSessionResult {
  executor: string;
  lines: number;
  transcriptMegabytes: number;
  attemptState: string;
  /** Events the executor yields for the recording in this process, `done` included, and that `done`'s status. */
  parsedOffline: number;
  offlineStatus: string;
  /** `entry` events the live log stream delivered, and the last one's seq. */
  streamed: number;
  lastStreamedSeq: number;
  /** Entries GET /attempts/{id}/logs pages through afterwards. */
  stored: number;
  countsMatch: boolean;
  /** Over SSE, from the first entry received to the last. */
  eventsPerSecond: number;
  /** The recording's lines over the same span: codex prints many lines (deltas) that make no event, an ACP agent's chunks merge into one event. */
  linesPerSecond: number;
  /** From the start POST being sent: worktree, agent start, handshake, first line through the pipeline. */
  toFirstEventMs: number;
  /** From the start POST being sent to the last entry received. */
  totalMs: number;
  rssBeforeMb: number;
  peakRssMb: number;
  rssSamples: number;
  /** The replaying CLI alone, gated as in the run, its output read and dropped, start-up included: the stand-in's own limit. */
  cliAloneLinesPerSecond: number;
}

export interface ApprovalRoundTripResult {
  executor: string;
  /** Approvals the recording asks for. */
  approvals: number;
  /** approval_request and approval_result entries the client saw. */
  requested: number;
  decided: number;
  attemptState: string;
  /** approval_request entry received -> POST /approvals/{id} sent -> the first entry after the approval_result (the agent went on). */
  roundTripMs: LatencySummary;
  /** approval_request entry received -> the answer's 200. */
  answerMs: LatencySummary;
  /** The answer sent -> the server's timestamp on the entry that shows the agent went on: the round trip before the log's 50 ms batching. */
  resumedMs: LatencySummary;
}

export interface AgentProtocolsResult {
  claude: LongSessionResult;
  codex: LongSessionResult;
  acp: LongSessionResult;
  claudeApprovals: ApprovalRoundTripResult;
  codexApprovals: ApprovalRoundTripResult;
}

export const APPROVAL_ROUND_TRIPS = 200;
const CLI_RUNS = 3;
const RSS_SAMPLE_MS = 50;
const POLL_MS = 50;
const TIME_LIMIT_MS = 300_000;

interface Scenario {
  executor: 'claude-code' | 'codex' | 'acp';
  cli: ReplayedCli;
  options: Record<string, unknown>;
}

const CLAUDE_LONG = { executor: 'claude-code', cli: 'claude', options: { permissionMode: 'bypassPermissions' } } as const satisfies Scenario;
const CODEX_LONG = { executor: 'codex', cli: 'codex', options: { approvalPolicy: 'never', sandbox: 'workspace-write' } } as const satisfies Scenario;
// The server's PATH starts with the stand-ins' folder, so the agent's bare name finds the replaying one.
const ACP_LONG = { executor: 'acp', cli: 'acp-agent', options: { command: 'acp-agent' } } as const satisfies Scenario;
type LongScenario = typeof CLAUDE_LONG | typeof CODEX_LONG | typeof ACP_LONG;
const CLAUDE_ASKING: Scenario = { executor: 'claude-code', cli: 'claude', options: { permissionMode: 'default' } };
const CODEX_ASKING: Scenario = { executor: 'codex', cli: 'codex', options: { approvalPolicy: 'on-request', sandbox: 'workspace-write' } };

/**
 * The executor's own events for a long session's recording, in this process, with the options
 * the server gives the run (the scenario's, the other defaults filled in): what it must store.
 * The ACP agent's recording is played by the kit's in-memory process, which holds each answer
 * until its request was written: the ACP SDK drops an answer to a request it has not sent yet.
 */
function offlineEvents(scenario: LongScenario, lines: readonly string[]): Promise<{ count: number; doneStatus: string | undefined }> {
  const ctx: RunContext = scenario.executor === 'acp' ? createFakeRunContext({ recording: { stdout: lines }, worktreePath: '/bench/worktree', scratchDir: '/bench/scratch' }) : inMemoryRunContext(lines);
  const input = { attemptId: 'att_bench', prompt: 'replay' };
  const events: AsyncIterable<ExecutorEvent> =
    scenario.executor === 'claude-code'
      ? claudeCode.run({ ...input, options: { model: undefined, maxTurns: undefined, allowedTools: [], disallowedTools: [], extraArgs: [], apiKey: undefined, ...scenario.options } }, ctx)
      : scenario.executor === 'codex'
        ? codex.run({ ...input, options: { model: undefined, extraArgs: [], apiKey: undefined, maxReconnectWaitMs: codexOptionShape.maxReconnectWaitMs.default, ...scenario.options } }, ctx)
        : acp.run(
            {
              ...input,
              options: {
                args: [], env: [], passEnv: [], token: undefined, tokenEnv: undefined, mode: undefined, model: undefined,
                turnTimeoutMs: acpOptionShape.turnTimeoutMs.default, idleTimeoutMs: acpOptionShape.idleTimeoutMs.default, ...scenario.options,
              },
            },
            ctx,
          );
  return countEvents(events);
}

/**
 * What the executor writes first, which the replay waits for: Claude's prompt line, codex's
 * four requests, or the ACP client's three (a response is held until its request was written).
 */
const OPENING_LINES: Readonly<Record<ReplayedCli, readonly string[]>> = {
  claude: [JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: 'replay' }] } })],
  codex: ['initialize', 'account/read', 'thread/start', 'turn/start'].map((method, i) => JSON.stringify({ id: i + 1, method, params: {} })),
  'acp-agent': ['initialize', 'session/new', 'session/prompt'].map((method, id) => JSON.stringify({ jsonrpc: '2.0', id, method, params: {} })),
};

/**
 * The replaying CLI on its own, start-up included: given the executor's opening lines, it prints
 * the whole recording through the same gate as in the run (each line checked as it goes), read
 * here and dropped; its input closes once the last line is in, and then it exits.
 */
async function cliAloneMs(clis: ReplayClis, cli: ReplayedCli, cwd: string, lineCount: number): Promise<number> {
  const start = process.hrtime.bigint();
  const child = spawn(join(clis.binDir, cli), [], { cwd, env: { PATH: clis.path() }, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.write(`${OPENING_LINES[cli].join('\n')}\n`);
  let printed = 0;
  child.stdout!.on('data', (chunk: Buffer) => {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) printed++;
    if (printed === lineCount) child.stdin!.end();
  });
  child.stdin!.on('error', () => undefined); // a CLI that died early is reported by its exit below
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), TIME_LIMIT_MS);
  const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve)).finally(() => clearTimeout(timer));
  if (code !== 0 || printed !== lineCount) throw new Error(`the replaying ${cli} exited with ${code} after ${printed} of ${lineCount} lines: ${stderr}`);
  return msSince(start);
}

/** One long recording as a real attempt, read live over SSE, as section 7 does for fake-agent. */
async function longSession(api: ForgeApi, serverPid: number, projectId: string, clis: ReplayClis, repoDir: string, scenario: LongScenario, lines: readonly string[]): Promise<LongSessionResult> {
  const offline = await offlineEvents(scenario, lines);
  clis.record(scenario.cli, lines);
  const cliRuns: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) cliRuns.push(await cliAloneMs(clis, scenario.cli, repoDir, lines.length));

  const taskId = await api.createTask(projectId, `A long ${scenario.cli} session`, 'Replay the recorded session.');
  const rssBeforeMb = readRssMb(serverPid);
  const sampler = new RssSampler(serverPid, RSS_SAMPLE_MS);
  const sentAt = process.hrtime.bigint();
  const attempt = await api.startAttempt(taskId, scenario.executor, scenario.options);
  const reading = await readLogStream(`${api.baseUrl}/api/v1/attempts/${attempt.id}/logs/stream`, TIME_LIMIT_MS).finally(() => sampler.stop());
  const final = await api.waitForAttempt(attempt.id, POLL_MS, TIME_LIMIT_MS);
  const stored = await api.storedEntryCount(attempt.id);

  const seconds = (from: bigint, to: bigint) => Number(to - from) / 1e9;
  const span = seconds(reading.firstEntryAt, reading.lastEntryAt);
  return {
    executor: scenario.executor,
    lines: lines.length,
    transcriptMegabytes: lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0) / 1024 / 1024,
    attemptState: final.state,
    parsedOffline: offline.count,
    offlineStatus: offline.doneStatus ?? 'no done',
    streamed: reading.entries,
    lastStreamedSeq: reading.lastSeq,
    stored,
    countsMatch: reading.entries === stored && stored === offline.count && reading.lastSeq === reading.entries,
    eventsPerSecond: (reading.entries - 1) / span,
    linesPerSecond: lines.length / span,
    toFirstEventMs: seconds(sentAt, reading.firstEntryAt) * 1000,
    totalMs: seconds(sentAt, reading.lastEntryAt) * 1000,
    rssBeforeMb,
    peakRssMb: sampler.peakMb,
    rssSamples: sampler.samples,
    cliAloneLinesPerSecond: lines.length / (summarize(cliRuns).p50 / 1000),
  };
}

/** A recording that asks `approvals` times, each approval answered through the API the moment its entry arrives. */
async function approvalRoundTrips(api: ForgeApi, projectId: string, clis: ReplayClis, scenario: Scenario, lines: readonly string[], approvals: number): Promise<ApprovalRoundTripResult> {
  clis.record(scenario.cli, lines);
  const taskId = await api.createTask(projectId, `${scenario.cli} asking ${approvals} times`, 'Run every check.');
  const attempt = await api.startAttempt(taskId, scenario.executor, scenario.options);
  const trips = await answerApprovals(api.baseUrl, attempt.id, TIME_LIMIT_MS);
  const final = await api.waitForAttempt(attempt.id, POLL_MS, TIME_LIMIT_MS);
  return {
    executor: scenario.executor,
    approvals,
    requested: trips.requests,
    decided: trips.results,
    attemptState: final.state,
    roundTripMs: summarize(trips.roundTripMs),
    answerMs: summarize(trips.answerMs),
    resumedMs: summarize(trips.resumedMs),
  };
}

function printResults(r: AgentProtocolsResult): void {
  const { claude, codex: cx, acp: ac } = r;
  const sessions = [claude, cx, ac];
  const each = (cell: (s: LongSessionResult) => string | number) => sessions.map(cell);
  printTable(
    `11a. Agent protocols: a ${claude.lines.toLocaleString('en-US')}-line Claude Code session, a ${cx.lines.toLocaleString('en-US')}-line codex app-server session and a ${ac.lines.toLocaleString('en-US')}-line ACP session, replayed by stand-in CLIs through the real executors and forgecore serve, read live over SSE`,
    ['measure', 'claude-code', 'codex', 'acp'],
    [
      ['recording (MB)', ...each((s) => s.transcriptMegabytes)],
      ['events/s over SSE, first -> last event', ...each((s) => Math.round(s.eventsPerSecond))],
      ['recorded lines/s over the same span', ...each((s) => Math.round(s.linesPerSecond))],
      ['start POST sent -> first event (ms)', ...each((s) => s.toFirstEventMs)],
      ['start POST sent -> last event (s)', ...each((s) => s.totalMs / 1000)],
      ['events streamed / stored / parsed offline', ...each((s) => `${s.streamed} / ${s.stored} / ${s.parsedOffline}`)],
      ['attempt final state (offline)', ...each((s) => `${s.attemptState} (${s.offlineStatus})`)],
      ['server RSS before (MB)', ...each((s) => s.rssBeforeMb)],
      ['server peak RSS (MB)', ...each((s) => s.peakRssMb)],
      [`the replaying CLI alone, same gate, output dropped (lines/s, p50 of ${CLI_RUNS}, start-up included)`, ...each((s) => Math.round(s.cliAloneLinesPerSecond))],
    ],
  );
  for (const s of sessions) {
    if (!s.countsMatch) console.log(`   !! ${s.executor}: counts differ: streamed ${s.streamed} (last seq ${s.lastStreamedSeq}), stored ${s.stored}, parsed offline ${s.parsedOffline}`);
  }
  const trips = [r.claudeApprovals, r.codexApprovals];
  printTable(
    '11b. Approval round trip: approval_request entry over SSE -> POST /approvals/{id} approve -> the agent resumes (the next entry after approval_result), in ms',
    ['executor', 'asked', 'requests / results seen', 'p50', 'p95', 'p99', 'max', 'POST 200 p50 / p95', 'resumed, server ts p50 / p95', 'final state'],
    trips.map((t) => [
      t.executor,
      t.approvals,
      `${t.requested} / ${t.decided}`,
      t.roundTripMs.p50,
      t.roundTripMs.p95,
      t.roundTripMs.p99,
      t.roundTripMs.max,
      `${t.answerMs.p50.toFixed(1)} / ${t.answerMs.p95.toFixed(1)}`,
      `${t.resumedMs.p50} / ${t.resumedMs.p95}`,
      t.attemptState,
    ]),
  );
  console.log("   (the server stores and publishes log entries in batches, every 50 ms today (core/src/runtime/log-pipeline.ts), so a client sees the agent go on up to a batch after it did; 'resumed, server ts' is the answer sent -> the server's own timestamp on that entry)");
}

/**
 * 11. The real claude-code, codex and acp executors, not fake-agent, each driving a stand-in
 * `claude`, `codex` or `acp-agent` on the server's PATH that replays a recording by the SDK's
 * replay rules: a long session through the whole pipeline (parse, validate, store, SSE), and
 * approvals answered through the API while the agent waits.
 */
export async function benchAgentProtocols(workDir: string, claudeLines: readonly string[]): Promise<AgentProtocolsResult> {
  const clis = new ReplayClis(join(workDir, 'bin'));
  const repoDir = join(workDir, 'repo');
  makeSmallRepo(repoDir);
  const codexLines = codexTranscript();
  const acpLines = acpTranscript();
  const server = await startForge(join(workDir, 'home'), { PATH: clis.path() });
  const api = new ForgeApi(server.url);
  try {
    const projectId = await api.createProject('bench-agent-protocols', repoDir);
    // An ordinary attempt first, so the start path (scheduler, worktree, spawn) is not cold.
    const warmUp = await api.startAttempt(await api.createTask(projectId, 'Warm-up', 'write warm-up.md warm'), 'fake-agent');
    await api.waitForAttempt(warmUp.id, POLL_MS, TIME_LIMIT_MS);
    const result: AgentProtocolsResult = {
      claude: await longSession(api, server.pid, projectId, clis, repoDir, CLAUDE_LONG, claudeLines),
      codex: await longSession(api, server.pid, projectId, clis, repoDir, CODEX_LONG, codexLines),
      acp: await longSession(api, server.pid, projectId, clis, repoDir, ACP_LONG, acpLines),
      claudeApprovals: await approvalRoundTrips(api, projectId, clis, CLAUDE_ASKING, claudeApprovalTranscript(APPROVAL_ROUND_TRIPS), APPROVAL_ROUND_TRIPS),
      codexApprovals: await approvalRoundTrips(api, projectId, clis, CODEX_ASKING, codexApprovalTranscript(APPROVAL_ROUND_TRIPS), APPROVAL_ROUND_TRIPS),
    };
    printResults(result);
    return result;
  } finally {
    api.close();
    await server.stop();
  }
}
