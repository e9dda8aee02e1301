// `npm run bench`: every benchmark in one run against real `forgecore serve` processes, a table per
// section, a PASS/MISS summary (with the numbers that have no target marked "report"), and the
// numbers in bench/results/latest.json. A missed target is a finding, not a failure: only a
// bench that could not run exits non-zero.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ForgeApi } from './api.ts';
import { claudeTranscript } from './claude-transcript.ts';
import { makeLargeRepo, makeSmallRepo } from './fixtures.ts';
import { LoadClient } from './load-client-process.ts';
import { describeMachine } from './machine.ts';
import { benchAgentProtocols } from './sections/agent-protocols.ts';
import { benchAttemptE2E } from './sections/attempt-e2e.ts';
import { benchConcurrentAttempts } from './sections/concurrent-attempts.ts';
import { benchEventBoundary } from './sections/event-boundary.ts';
import { benchEventLog } from './sections/event-log.ts';
import { benchEventPipeline } from './sections/event-pipeline.ts';
import { benchListTasks } from './sections/list-tasks.ts';
import { benchPooledBurst } from './sections/pooled-burst.ts';
import { benchMcpOverhead } from './sections/mcp-overhead.ts';
import { benchPullRequests } from './sections/pull-requests.ts';
import { benchServerStartup } from './sections/server-startup.ts';
import { benchSseSlowClients } from './sections/sse-slow-clients.ts';
import { benchTaskCreation } from './sections/task-creation.ts';
import { benchWorktreeReady } from './sections/worktree-ready.ts';
import { benchWebhooks } from './sections/webhooks.ts';
import { startForge } from './server-process.ts';
import { checkTargets, printTargets, type BenchResults } from './targets.ts';

const RESULTS_FILE = fileURLToPath(new URL('./results/latest.json', import.meta.url));

const tempRoot = mkdtempSync(join(tmpdir(), 'forge-bench-'));
const cleanups: (() => unknown)[] = [() => rmSync(tempRoot, { recursive: true, force: true })];
let cleaning: Promise<void> | null = null;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) await Promise.resolve().then(step).catch((error: Error) => console.error(`cleanup: ${error.message}`));
  })();
  return cleaning;
}
process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
process.once('SIGTERM', () => void cleanUp().finally(() => process.exit(143)));

const progress = (text: string) => console.log(`.. ${text}`);

async function main(): Promise<void> {
  const began = Date.now();
  const machine = describeMachine();
  console.log(`Forge Core bench: ${machine.cpus} x ${machine.cpuModel}, Node ${machine.node}, ${machine.git}, load ${machine.loadAverage1m.toFixed(2)}`);
  if (machine.foreignForgeServers.length) {
    console.log(`!! ${machine.foreignForgeServers.length} forgecore serve process(es) not started by this bench are running (pids ${machine.foreignForgeServers.join(', ')}); they compete for the CPUs.`);
  }

  progress('generating the 2,000-file repository and the small ones');
  const largeRepo = join(tempRoot, 'repos', 'large');
  const largeInfo = makeLargeRepo(largeRepo);
  const smallRepo = (name: string) => {
    const dir = join(tempRoot, 'repos', name);
    makeSmallRepo(dir);
    return dir;
  };

  const client = new LoadClient();
  cleanups.push(() => client.close());

  progress('starting the server for sections 1, 2 and 4');
  const server = await startForge(join(tempRoot, 'home-main'));
  cleanups.push(() => server.stop());
  const api = new ForgeApi(server.url);
  cleanups.push(() => api.close());
  const taskCreation = await benchTaskCreation(client, server.url, await api.createProject('bench-tasks', smallRepo('tasks')));
  const listTasks = await benchListTasks(client, api, await api.createProject('bench-list', smallRepo('list')), join(tempRoot, 'home-main', 'forge.sqlite'));
  progress('section 12: MCP tool calls beside the same REST calls');
  const mcpOverhead = await benchMcpOverhead(client, server.url, await api.createProject('bench-mcp', smallRepo('mcp')));
  progress('worktrees: raw git against WorktreeManager.create()');
  const worktreeReady = await benchWorktreeReady(largeRepo, join(tempRoot, 'worktree-bench'), largeInfo);
  const attemptE2E = await benchAttemptE2E(api, await api.createProject('bench-attempts', smallRepo('attempts')));
  await server.stop();

  progress('starting a server with FORGE_MAX_CONCURRENT_ATTEMPTS=50 for section 5');
  const burstServer = await startForge(join(tempRoot, 'home-burst'), { FORGE_MAX_CONCURRENT_ATTEMPTS: '50' });
  cleanups.push(() => burstServer.stop());
  const burstApi = new ForgeApi(burstServer.url);
  cleanups.push(() => burstApi.close());
  const burstProjects = { large: await burstApi.createProject('bench-large', largeRepo), warmUp: await burstApi.createProject('bench-warm-up', smallRepo('warm-up')) };
  const concurrentAttempts = await benchConcurrentAttempts(client, burstApi, burstProjects.large, burstProjects.warmUp, burstServer.pid);
  await burstServer.stop();

  progress('section 5b: the same server started again with FORGE_WORKTREE_POOL_SIZE=50, the burst from its warm pool');
  const pooledServer = await startForge(join(tempRoot, 'home-burst'), { FORGE_MAX_CONCURRENT_ATTEMPTS: '50', FORGE_WORKTREE_POOL_SIZE: '50' });
  cleanups.push(() => pooledServer.stop());
  const pooledApi = new ForgeApi(pooledServer.url);
  cleanups.push(() => pooledApi.close());
  const pooledBurst = await benchPooledBurst(client, pooledApi, join(tempRoot, 'home-burst'), burstProjects.large, burstProjects.warmUp, pooledServer.pid, {
    takeMs: worktreeReady.pooled.p50,
    agentMs: concurrentAttempts.bound.agentMs,
    commitMs: concurrentAttempts.bound.commitMs,
    cores: concurrentAttempts.bound.cores,
  });
  await pooledServer.stop();

  const serverStartup = await benchServerStartup(tempRoot);

  progress('generating the 100,000-line Claude Code transcript; starting a server for section 7');
  const transcript = claudeTranscript();
  const replayServer = await startForge(join(tempRoot, 'home-replay'));
  cleanups.push(() => replayServer.stop());
  const replayApi = new ForgeApi(replayServer.url);
  cleanups.push(() => replayApi.close());
  const eventPipeline = await benchEventPipeline(replayApi, replayServer.pid, join(tempRoot, 'repos', 'replay'), transcript);
  await replayServer.stop();
  progress('per-event cost in this process, no server running');
  const eventBoundary = await benchEventBoundary(transcript);

  progress('starting a server for section 9: SSE clients that never read');
  const slowClientsServer = await startForge(join(tempRoot, 'home-sse-slow-clients'));
  cleanups.push(() => slowClientsServer.stop());
  const slowClientsApi = new ForgeApi(slowClientsServer.url);
  cleanups.push(() => slowClientsApi.close());
  const sseSlowClients = await benchSseSlowClients(slowClientsApi, slowClientsServer.pid, join(tempRoot, 'repos', 'sse-slow-clients'));
  await slowClientsServer.stop();

  progress('section 10: the event log, with its own server, killed and started again half-way');
  const eventLog = await benchEventLog(client, join(tempRoot, 'home-event-log'), join(tempRoot, 'repos', 'event-log'));

  progress('section 11: the claude-code and codex executors driving replaying stand-ins for their CLIs, with their own server');
  const agentProtocols = await benchAgentProtocols(join(tempRoot, 'agent-protocols'), transcript);

  progress('section 13: opening and polling pull requests on a fake GitHub and a git http-backend, with their own server');
  const pullRequests = await benchPullRequests(join(tempRoot, 'pull-requests'));

  progress('section 14: webhooks to a healthy receiver at 100 events/s, and task creation with 0, 1 and 10 subscriptions, with their own server');
  const webhooks = await benchWebhooks(client, join(tempRoot, 'webhooks'));

  const results: BenchResults = {
    taskCreation,
    listTasks,
    worktreeReady,
    attemptE2E,
    concurrentAttempts,
    pooledBurst,
    serverStartup,
    eventPipeline,
    eventBoundary,
    sseSlowClients,
    eventLog,
    agentProtocols,
    mcpOverhead,
    pullRequests,
    webhooks,
  };
  const targets = checkTargets(results);
  printTargets(targets);
  const durationSeconds = (Date.now() - began) / 1000;
  mkdirSync(join(RESULTS_FILE, '..'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify({ generatedAt: new Date().toISOString(), durationSeconds, machine, ...results, targets }, null, 2)}\n`);
  console.log(`\nDone in ${durationSeconds.toFixed(0)} s; numbers in ${RESULTS_FILE}`);
}

try {
  await main();
} catch (error) {
  console.error(`bench failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
