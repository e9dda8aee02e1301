import type { AgentProtocolsResult } from './sections/agent-protocols.ts';
import type { AttemptE2EResult } from './sections/attempt-e2e.ts';
import type { ConcurrentAttemptsResult } from './sections/concurrent-attempts.ts';
import type { EventBoundaryResult } from './sections/event-boundary.ts';
import type { EventLogResult } from './sections/event-log.ts';
import type { EventPipelineResult } from './sections/event-pipeline.ts';
import type { ListTasksResult } from './sections/list-tasks.ts';
import type { PooledBurstResult } from './sections/pooled-burst.ts';
import type { McpOverheadRow } from './sections/mcp-overhead.ts';
import type { PullRequestsResult } from './sections/pull-requests.ts';
import type { ServerStartupResult } from './sections/server-startup.ts';
import type { SseSlowClientsResult } from './sections/sse-slow-clients.ts';
import type { BareInsertFloor, TaskCreationLevel } from './sections/task-creation.ts';
import type { WebhooksResult } from './sections/webhooks.ts';
import type { WorktreeReadyResult } from './sections/worktree-ready.ts';
import { formatNumber, printTable } from './table.ts';

export interface BenchResults {
  taskCreation: { levels: TaskCreationLevel[]; floor: BareInsertFloor };
  listTasks: ListTasksResult;
  worktreeReady: WorktreeReadyResult;
  attemptE2E: AttemptE2EResult;
  concurrentAttempts: ConcurrentAttemptsResult;
  pooledBurst: PooledBurstResult;
  serverStartup: ServerStartupResult;
  eventPipeline: EventPipelineResult;
  eventBoundary: EventBoundaryResult;
  sseSlowClients: SseSlowClientsResult;
  eventLog: EventLogResult;
  agentProtocols: AgentProtocolsResult;
  mcpOverhead: McpOverheadRow[];
  pullRequests: PullRequestsResult;
  webhooks: WebhooksResult;
}

export interface TargetCheck {
  target: string;
  goal: string;
  measured: string;
  /** null: a number reported for the record, with no goal to pass or miss. */
  pass: boolean | null;
}

function check(target: string, measured: number, unit: string, comparison: '<' | '>' | '<=', limit: number): TargetCheck {
  const pass = comparison === '<' ? measured < limit : comparison === '>' ? measured > limit : measured <= limit;
  return { target, goal: `${comparison} ${formatNumber(limit)} ${unit}`.trim(), measured: `${formatNumber(measured)} ${unit}`.trim(), pass };
}

function report(target: string, measured: number, unit: string): TargetCheck {
  return { target, goal: 'none', measured: `${formatNumber(measured)} ${unit}`.trim(), pass: null };
}

function reportText(target: string, measured: string): TargetCheck {
  return { target, goal: 'none', measured, pass: null };
}

/** One target with two goals (checked without a name of their own): it passes when both do. */
function checkBoth(target: string, first: TargetCheck, second: TargetCheck): TargetCheck {
  return { target, goal: `${first.goal} and ${second.goal}`, measured: `${first.measured}, ${second.measured}`, pass: first.pass === true && second.pass === true };
}

/** The goals the lead set for this build; a miss is reported, never fatal. */
export function checkTargets(r: BenchResults): TargetCheck[] {
  const at = (clients: number) => r.taskCreation.levels.find((l) => l.clients === clients)!;
  const burst = r.concurrentAttempts;
  const { appends, fanOut, resume } = r.eventLog;
  const { claude, codex, acp, claudeApprovals, codexApprovals } = r.agentProtocols;
  const mcpAdds = (operation: McpOverheadRow['operation'], surface: McpOverheadRow['surface']) =>
    r.mcpOverhead.find((row) => row.operation === operation && row.surface === surface)!.overheadP50Ms;
  const roundTrip = (t: typeof claudeApprovals) => `${formatNumber(t.roundTripMs.p50)} ms p50, ${formatNumber(t.roundTripMs.p95)} ms p95`;
  return [
    check('task creation p95, 1 client', at(1).p95, 'ms', '<', 3),
    check('task creation throughput, 50 clients', at(50).requestsPerSecond, 'req/s', '>', 1_500),
    check('task creation p95, 50 clients', at(50).p95, 'ms', '<', 50),
    check('task creation p99, 50 clients', at(50).p99, 'ms', '<', 80),
    report('  floor: the task row and its event straight into SQLite, no server', Math.round(r.taskCreation.floor.insertsPerSecond), 'inserts/s'),
    check('list 1,000 tasks p95', r.listTasks.p95, 'ms', '<', 15),
    check('list 1,000 tasks p95, 10 clients', r.listTasks.tenClients.p95, 'ms', '<', 60),
    check('attempt start request p95, 50 at once', burst.startRequest.p95, 'ms', '<', 50),
    check('worktree ready, cold / raw git worktree add (p50)', r.worktreeReady.ratioP50, 'x', '<=', 1.1),
    check('worktree ready from the warm pool (p50)', r.worktreeReady.pooled.p50, 'ms', '<', 100),
    {
      target: '50 concurrent attempts succeeded',
      goal: `${burst.attempts} of ${burst.attempts}`,
      measured: `${burst.succeeded} of ${burst.attempts}`,
      pass: burst.succeeded === burst.attempts,
    },
    check('50 concurrent attempts wall time', burst.wallMs / 1000, 's', '<=', 14),
    check('  the same against its bound (50 x the parts alone / cores)', burst.wallMs / burst.bound.boundMs, 'x', '<=', 1.3),
    report('  per attempt, POSTs sent -> final (p50)', burst.endToEnd.p50 / 1000, 's'),
    // Issue 15: half of the burst's wall before it (8.39 s, this bench on a quiet machine, 2026-12-05).
    check('the same 50 from a warm pool prepared while idle, wall time', r.pooledBurst.wallMs / 1000, 's', '<=', 4.2),
    reportText('  succeeded, and wall / its bound (take from the pool + agent + commit)', `${r.pooledBurst.succeeded} of ${r.pooledBurst.attempts}, ${formatNumber(r.pooledBurst.wallMs / r.pooledBurst.boundMs)} x`),
    check('idle RSS (p50 of fresh starts)', r.serverStartup.idleRssMb.p50, 'MB', '<', 60),
    report('  the same from the sources through tsx', r.serverStartup.fromSources.idleRssMb.p50, 'MB'),
    report('  floor: hapi and the required dependencies loaded, nothing else', r.serverStartup.dependenciesOnly.idleRssMb.p50, 'MB'),
    check('first healthy response (p50)', r.serverStartup.spawnToHealthyMs.p50 / 1000, 's', '<', 0.5),
    report('  the built bin, as an install runs it', r.serverStartup.installedBin.spawnToHealthyMs.p50 / 1000, 's'),
    report('  the same from the sources through tsx', r.serverStartup.fromSources.spawnToHealthyMs.p50 / 1000, 's'),
    report('  floor: hapi and the required dependencies loaded, nothing else', r.serverStartup.dependenciesOnly.spawnToHealthyMs.p50 / 1000, 's'),
    check('peak RSS during the 50-attempt burst', burst.peakRssMb, 'MB', '<', 120),
    reportText('  server RSS before the burst / 2 s after it', `${formatNumber(burst.rssBeforeMb)} MB / ${formatNumber(burst.rssSettledMb)} MB`),
    report('100,000-line session through the full pipeline', Math.round(r.eventPipeline.eventsPerSecond), 'events/s'),
    report('100,000-line session, start POST -> last SSE event', r.eventPipeline.totalMs / 1000, 's'),
    report('100,000-line session, server peak RSS', r.eventPipeline.peakRssMb, 'MB'),
    report('the fake claude alone printing it into /dev/null', Math.round(r.eventPipeline.cliAloneLinesPerSecond), 'lines/s'),
    report(`the same ${claude.lines.toLocaleString('en-US')}-line session through claude-code, its claude replayed by the SDK`, Math.round(claude.eventsPerSecond), 'events/s'),
    report(`${codex.lines.toLocaleString('en-US')}-line codex app-server session through codex, replayed the same way`, Math.round(codex.eventsPerSecond), 'events/s'),
    report(`${acp.lines.toLocaleString('en-US')}-line ACP session through the generic acp executor, replayed the same way`, Math.round(acp.eventsPerSecond), 'events/s'),
    reportText('claude-code, codex and acp sessions: every event streamed and stored once, succeeded', [claude, codex, acp].every((s) => s.countsMatch && s.attemptState === 'succeeded') ? 'yes' : 'no'),
    reportText(`approval round trip over SSE and the API, claude-code (${claudeApprovals.requested} approvals)`, roundTrip(claudeApprovals)),
    reportText(`approval round trip over SSE and the API, codex (${codexApprovals.requested} approvals)`, roundTrip(codexApprovals)),
    report('host boundary overhead per event (p50)', r.eventBoundary.overheadNs, 'ns'),
    check('MCP tools/call over REST, list_tasks, 2026-07-28 (p50 difference)', mcpAdds('list_tasks', 'mcp 2026-07-28'), 'ms', '<', 1),
    check('MCP tools/call over REST, create_task, 2026-07-28 (p50 difference)', mcpAdds('create_task', 'mcp 2026-07-28'), 'ms', '<', 1),
    check('MCP tools/call over REST, list_tasks, 2025-11-25 session (p50 difference)', mcpAdds('list_tasks', 'mcp 2025-11-25'), 'ms', '<', 1),
    check('MCP tools/call over REST, create_task, 2025-11-25 session (p50 difference)', mcpAdds('create_task', 'mcp 2025-11-25'), 'ms', '<', 1),
    reportText('open a pull request (push + find + create + comments), Forge vs by hand, p50', `${formatNumber(r.pullRequests.open.p50)} ms vs ${formatNumber(r.pullRequests.rawOpen.p50)} ms`),
    reportText('poll a pull request (state + checks), Forge vs by hand, p50', `${formatNumber(r.pullRequests.refresh.p50)} ms vs ${formatNumber(r.pullRequests.rawRefresh.p50)} ms`),
    reportText('requests the GitHub fake found off its OpenAPI', String(r.pullRequests.hostProblems)),
    check(`webhook deliveries not received, healthy receiver at ${formatNumber(r.webhooks.eventsPerSecond)} events/s`, r.webhooks.failureRate * 100, '%', '<', 1),
    reportText('webhook delivery latency, event commit to receipt', `${formatNumber(r.webhooks.latency.p50)} ms p50, ${formatNumber(r.webhooks.latency.p95)} ms p95, ${formatNumber(r.webhooks.latency.p99)} ms p99`),
    reportText('task creation at 10 clients with 0 / 1 / 10 webhook subscriptions', r.webhooks.throughput.map((level) => `${formatNumber(level.requestsPerSecond)}`).join(' / ') + ' req/s'),
    report(`${r.sseSlowClients.stalledClients} SSE clients that never read, server peak RSS`, r.sseSlowClients.peakRssMb, 'MB'),
    report(`${r.sseSlowClients.stalledClients} SSE clients that never read, RSS after they closed`, r.sseSlowClients.rssAfterCloseMb, 'MB'),
    // Section 1's creations each append their event too: the issue's goal is on its 50-client level.
    checkBoth(
      'task creation at 50 clients, each appending an event',
      check('', at(50).requestsPerSecond, 'req/s', '>', 3_000),
      check('', at(50).p99, 'ms p99', '<', 40),
    ),
    report(`the same while a client follows /events (${appends.clients} clients)`, Math.round(appends.requestsPerSecond), 'req/s'),
    report(`the same while a client follows /events, p99`, appends.requests.p99, 'ms'),
    report('event appends, as the one /events follower counts them', Math.round(appends.eventsPerSecond), 'events/s'),
    reportText('/events follower got every event once, ids contiguous', appends.followerMismatch === null ? 'yes' : 'no'),
    report('/events follower delivery lag p99', appends.lagMs.p99, 'ms'),
    report(`${fanOut.clients} /events clients, delivery lag p99`, fanOut.lagMs.p99, 'ms'),
    reportText(`${fanOut.clients} /events clients that missed or repeated an event`, `${fanOut.clientsNotExact} of ${fanOut.clients}`),
    report(`${fanOut.clients} /events clients, server peak RSS`, fanOut.peakRssMb, 'MB'),
    report(`restart after SIGKILL, ${formatNumber(resume.eventsInLog)} events in the log: first healthy response`, resume.spawnToHealthyMs / 1000, 's'),
    report(`Last-Event-ID ${formatNumber(resume.replayed)} events back after the restart: replay`, Math.round(resume.eventsPerSecond), 'events/s'),
    reportText('replay after the restart got every event once, in order', resume.mismatch === null ? 'yes' : 'no'),
  ];
}

export function printTargets(checks: readonly TargetCheck[]): void {
  const targeted = checks.filter((c) => c.pass !== null);
  printTable(
    `Summary against targets: ${targeted.filter((c) => c.pass).length}/${targeted.length} PASS, ${checks.length - targeted.length} reported without a target`,
    ['result', 'target', 'goal', 'measured'],
    checks.map((c) => [c.pass === null ? 'report' : c.pass ? 'PASS' : 'MISS', c.target, c.goal, c.measured]),
  );
}
