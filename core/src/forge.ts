import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ForgeConfig } from './config/config.ts';
import { FeatureFlags } from './config/features.ts';
import { LiveLogs } from './events/live-logs.ts';
import { ForgeMetrics } from './observability/forge-metrics.ts';
import { createLogger } from './observability/logger.ts';
import { EventLog } from './events/event-log.ts';
import { EventStream } from './events/event-stream.ts';
import { createLifecycles, type Lifecycles } from './lifecycle/lifecycles.ts';
import { ApprovalService } from './orchestrator/approval-service.ts';
import { AttemptRunner } from './orchestrator/attempt-runner.ts';
import { AttemptSecrets } from './orchestrator/attempt-secrets.ts';
import { OwnMcpOffer } from './mcp/agent-offer.ts';
import { AttemptService } from './orchestrator/attempt-service.ts';
import { AttemptWaiter } from './orchestrator/attempt-waiter.ts';
import { BranchService } from './orchestrator/branch-service.ts';
import { healthOf, type Health } from './orchestrator/health.ts';
import { LogService } from './orchestrator/log-service.ts';
import { ProfileService } from './orchestrator/profile-service.ts';
import { ProjectService } from './orchestrator/project-service.ts';
import { recoverStrandedAttempts, type RecoveryReport } from './orchestrator/recovery.ts';
import { DevServers } from './orchestrator/dev-servers.ts';
import { LogPipelines } from './runtime/log-pipelines.ts';
import { Scheduler } from './orchestrator/scheduler.ts';
import { ConcurrencyLimits } from './orchestrator/concurrency-limits.ts';
import { QueueOverview } from './orchestrator/queue-overview.ts';
import { TaskService } from './orchestrator/task-service.ts';
import { AutoStarter } from './orchestrator/auto-start.ts';
import { DependencyChain } from './orchestrator/dependency-chain.ts';
import { DependencyService } from './orchestrator/dependency-service.ts';
import { SDK_DIR } from './plugins/discover.ts';
import { PackOverview } from './plugins/pack-overview.ts';
import { PackRegistry } from './plugins/pack-registry.ts';
import { PluginInstaller } from './plugins/plugin-installer.ts';
import { registryOptions } from './plugins/registry-options.ts';
import { ScratchDirs } from './runtime/scratch-dirs.ts';
import { openDatabase } from './store/database.ts';
import { SecretBox } from './store/secret-box.ts';
import { WalCheckpointer } from './store/wal-checkpointer.ts';
import { createStores, type Stores } from './store/stores.ts';
import { reconcileWorktrees, type ReconcileReport } from './worktrees/reconciler.ts';
import { applyRetention, type RetentionReport } from './worktrees/retention.ts';
import { PoolFiller } from './worktrees/pool-filler.ts';
import { WorktreeManager } from './worktrees/worktree-manager.ts';
import type { PushCredentials } from './git/push-with-token.ts';
import { PullRequestPoller } from './orchestrator/pull-request-poller.ts';
import { PullRequestService } from './orchestrator/pull-request-service.ts';
import { ProviderDriver } from './providers/provider-driver.ts';
import { ProviderResolver, type ResolvedProvider } from './providers/provider-resolver.ts';
import { RequestBudget } from './providers/request-budget.ts';
import type { Project } from './store/project-store.ts';
import { createWebhooks } from './webhooks/webhooks.ts';
import type { WebhookDispatcher } from './webhooks/dispatcher.ts';
import type { WebhookService } from './webhooks/webhook-service.ts';

/** What one housekeeping pass settled, removed and deleted. */
export interface HousekeepingReport {
  recovery: RecoveryReport;
  reconcile: ReconcileReport;
  retention: RetentionReport;
  /** Pending approvals no run waits for any more, cancelled. */
  approvalsCancelled: number;
  /** Scratch folders of runs that are over, removed. */
  scratchDirsRemoved: number;
  /** Dev servers a crashed server left running, killed and their processes ended. */
  orphanDevServers: number;
}

/** Everything one Forge server is made of, wired once; routes reach it as `server.app`. */
export interface Forge {
  config: ForgeConfig;
  /** Which features still settling this server runs with (decision 0031). */
  features: FeatureFlags;
  logger: Logger;
  stores: Stores;
  /** Live log entries of running attempts. */
  liveLogs: LiveLogs;
  /** The persisted log of every state change: a cursor read and a live tail (spec/decisions/0021). */
  events: EventLog;
  /** The only writers of tasks', attempts', processes' and approvals' state. */
  lifecycles: Lifecycles;
  registry: PackRegistry;
  /** Installs and toggles packs on disk; the registry above is what this process loaded. */
  plugins: PluginInstaller;
  worktrees: WorktreeManager;
  scheduler: Scheduler;
  /** The caps on running attempts and what waits under them; caps change at run time. */
  queue: QueueOverview;
  projects: ProjectService;
  tasks: TaskService;
  /** Edges between tasks: what each waits on (decision 0032). */
  dependencies: DependencyService;
  attempts: AttemptService;
  branches: BranchService;
  /** Which code host serves each project, with which token (never shown). */
  gitProviders: ProviderResolver;
  /** Attempts' pull requests on their code hosts. */
  pullRequests: PullRequestService;
  /** What agents asked to do, and the answers. */
  approvals: ApprovalService;
  /** Named executor options attempts start from. */
  profiles: ProfileService;
  /** Attempts' logs, a page at a time or followed live. */
  logs: LogService;
  /** Projects' dev scripts running in attempts' worktrees (decision 0035). */
  devServers: DevServers;
  /** Waits for an attempt to finish or to need an answer. */
  waiter: AttemptWaiter;
  /** Forge Core's own MCP server as agent runs are offered it, once the server listens. */
  ownMcp: OwnMcpOffer;
  /** Every change, as clients follow it. */
  eventStream: EventStream;
  /** What GET /metrics shows Prometheus (decision 0036). */
  metrics: ForgeMetrics;
  /** The executors and packs, as clients see them. */
  packs: PackOverview;
  /** Webhook subscriptions and their delivery logs (decision 0033). */
  webhooks: WebhookService;
  /** Fans events out into webhook deliveries and sends them; runs when the webhooks feature is on. `onOutcome` reports each attempt. */
  webhookDispatcher: WebhookDispatcher;
  /** Liveness and a few numbers about this server. */
  health(): Health;
  /**
   * Settles stranded attempts, cleans worktrees and branches no attempt owns, then applies the
   * retention policy to finished work; runs at start and then periodically.
   */
  housekeeping(): Promise<HousekeepingReport>;
  /**
   * Recovery and reconcile first, then the scheduler, all in the background: the server
   * answers at once, and no attempt starts before what a crash left behind is settled.
   */
  startBackgroundWork(): void;
  close(): Promise<void>;
}

// After a stop, the host kills the agent's processes (SIGTERM, SIGKILL 2 s later); a pack's
// stream still open well after that is not waited for.
const AGENT_ABORT_GRACE_MS = 10_000;

export async function createForge(config: ForgeConfig, logger: Logger = createLogger(config)): Promise<Forge> {
  const startedAt = Date.now();
  const features = new FeatureFlags(config.features);
  await mkdir(config.worktreesDir, { recursive: true });
  const db = await openDatabase(config.databaseUrl);
  const checkpointer = new WalCheckpointer(db);
  await checkpointer.start();
  const stores = createStores(db);
  const liveLogs = new LiveLogs();
  const events = await EventLog.open(db, stores.events, { maxAgeMs: config.eventRetentionMs, maxCount: config.eventRetentionCount }, logger);
  const metrics = await ForgeMetrics.start({ events, countAttemptsByState: () => stores.attempts.countByState(), listAttempts: (states) => stores.attempts.listInStates(states) });
  const lifecycles = createLifecycles(db, events);
  const registry = await PackRegistry.load(registryOptions(config));
  const worktrees = new WorktreeManager(config.worktreesDir, {
    // A project's own size, or the server's; none for a project deleted meanwhile.
    poolSize: async (projectId) => {
      const project = await stores.projects.get(projectId);
      return project ? (project.worktreePoolSize ?? config.worktreePoolSize) : 0;
    },
    nodeId: config.nodeId,
  });
  // Idle: no attempt of this server preparing or running, so filling never competes with one.
  const poolFiller = new PoolFiller({ pool: worktrees.pool, stores, logger, isIdle: () => !worktrees.busy && scheduler.runningCount === 0 });
  worktrees.onPoolTaken(() => poolFiller.schedule());
  const secretBox = new SecretBox(config.secretKeyFile);
  const secrets = new AttemptSecrets(stores, secretBox);
  const streamLimits = { idleMs: config.agentStreamIdleMs, abortGraceMs: AGENT_ABORT_GRACE_MS };
  const approvals = new ApprovalService(stores, lifecycles, { timeoutMs: config.approvalTimeoutMs, nodeId: config.nodeId }, logger);
  const scratchDirs = new ScratchDirs(join(config.home, 'run'));
  const ownMcp = new OwnMcpOffer({ enabled: config.mcpForAgents, token: config.apiToken });
  // One pipeline per attempt, shared by its run and its dev server.
  const logPipelines = new LogPipelines(stores.logs, liveLogs);
  const devServers = new DevServers({ stores, lifecycles, logs: logPipelines, worktrees, nodeId: config.nodeId, logger });
  const runner = new AttemptRunner({
    stores,
    logs: logPipelines,
    registry,
    worktrees,
    lifecycles,
    nodeId: config.nodeId,
    logger,
    streamLimits,
    secrets,
    approvals,
    scratchDirs,
    mcpServersFor: (attemptId) => ownMcp.serversFor(attemptId, config.mcpServers),
    retryPolicy: { maxRetries: config.agentRetryMaxAttempts, baseMs: config.agentRetryBaseMs, maxMs: config.agentRetryMaxMs },
  });
  const limits = await ConcurrencyLimits.load(stores.concurrencyLimits, events, config);
  const scheduler = new Scheduler(stores, lifecycles.attempts, runner, limits, { nodeId: config.nodeId }, logger);
  // A cap raised (a project's, or through PATCH /queue) may let queued attempts start now.
  events.subscribe((event) => {
    if (event.type === 'project.updated' || event.type === 'concurrency.updated') scheduler.wake();
  });
  const profiles = new ProfileService(stores, events, registry, secretBox, config.executorProfiles);
  const dependencies = new DependencyService(stores, events, features);
  const attempts = new AttemptService(stores, lifecycles, registry, scheduler, config.branchPrefix, secrets, profiles, dependencies);
  // Its dev server first: the attempt's worktree goes next, with its task or project.
  const stopAttempt = (id: string) => devServers.stopIfRunning(id).then(() => attempts.stopIfLive(id));
  const tasks = new TaskService(stores, lifecycles, worktrees, stopAttempt);
  const closeTask = (taskId: string) => tasks.update(taskId, { status: 'done' }).then(() => undefined);
  // Tokens are read from a copy of the environment, then taken out of the server's own, so no
  // process it starts inherits them: git runs commands a repository's config names (core.fsmonitor).
  const gitProviders = new ProviderResolver(registry, config.gitHosts, { ...process.env });
  for (const name of gitProviders.tokenVariables()) delete process.env[name];
  const branches = new BranchService(stores, lifecycles.attempts, closeTask, (project) => pushCredentialsFor(gitProviders, project));
  const requestBudget = new RequestBudget({
    requestsPerHour: config.providerRequestsPerHour,
    perHost: Object.fromEntries(Object.entries(config.gitHosts).flatMap(([host, setting]) => (setting.requestsPerHour ? [[host, setting.requestsPerHour]] : []))),
  });
  const providerDriver = new ProviderDriver(requestBudget, { requestTimeoutMs: config.providerRequestTimeoutMs, secrets: () => gitProviders.allTokens() }, logger);
  let poller: PullRequestPoller | null = null;
  const pullRequests = new PullRequestService(stores, events, gitProviders, providerDriver, branches, attempts, closeTask, { nextPollAt: (host) => poller!.nextPollAt(host) }, logger);
  poller = new PullRequestPoller(stores.pullRequests, pullRequests, requestBudget, events, { minIntervalMs: config.pullRequestPollIntervalMs }, logger);
  const projects = new ProjectService(stores, events, worktrees, stopAttempt, () => registry.listGitProviders().map((provider) => provider.id), {
    executorIds: () => registry.listExecutors().map((executor) => executor.id),
    requireProfile: (name) => profiles.get(name),
  });
  const autoStarter = new AutoStarter({ stores, events, chain: new DependencyChain(stores, events, lifecycles.tasks), attempts, branches, tasks, logger });
  for (const [host, setting] of Object.entries(config.gitHosts)) {
    if (setting.provider && !registry.gitProvider(setting.provider)) {
      logger.warn({ host, provider: setting.provider }, `gitHosts["${host}"].provider names "${setting.provider}", which is not an installed git provider; pull requests on ${host} will be refused until it is installed or the setting fixed`);
    }
  }
  await keepNoSecretInClear(projects, secrets, registry, logger);
  const webhooks = createWebhooks(db, events, secretBox, config, logger);
  webhooks.dispatcher.onOutcome(metrics.webhookDelivered);

  let housekeepingRun: Promise<HousekeepingReport> | null = null;
  const housekeeping = () => {
    // One pass at a time: a slow pass (many repositories) must not pile up behind the timer.
    housekeepingRun ??= (async () => {
      const isActive = (id: string) => scheduler.isActive(id);
      // Before recovery, which would end their rows without looking for what left their groups.
      const orphanDevServers = await devServers.settleOrphans();
      const recovery = await recoverStrandedAttempts({ stores, worktrees, lifecycles, nodeId: config.nodeId, logger, isActive });
      if (recovery.requeued.length) scheduler.wake();
      const reconcile = await reconcileWorktrees({ stores, attempts: lifecycles.attempts, worktrees, branchPrefix: config.branchPrefix, logger, isActive });
      const retention = await applyRetention({ stores, attempts: lifecycles.attempts, worktrees, branchPrefix: config.branchPrefix, logger, isActive: (id) => isActive(id) || devServers.isRunning(id), policy: config });
      // After recovery: the attempts it settled have no run waiting on their approvals or scratch folders.
      const approvalsCancelled = await approvals.cancelOrphans();
      const scratchDirsRemoved = await scratchDirs.sweep(isActive);
      // Idle time after the repairs: the pools are filled once the reconcile has kept what it could.
      poolFiller.schedule(0);
      return { recovery, reconcile, retention, approvalsCancelled, scratchDirsRemoved, orphanDevServers };
    })().finally(() => (housekeepingRun = null));
    return housekeepingRun;
  };

  let timer: NodeJS.Timeout | null = null;
  const forge: Forge = {
    config,
    features,
    logger,
    stores,
    liveLogs,
    events,
    lifecycles,
    registry,
    plugins: new PluginInstaller(config.home, SDK_DIR, config.pluginPaths),
    worktrees,
    scheduler,
    queue: new QueueOverview(stores, limits, scheduler, registry),
    projects,
    tasks,
    dependencies,
    attempts,
    branches,
    gitProviders,
    pullRequests,
    approvals,
    profiles,
    logs: new LogService(stores, liveLogs, events, attempts),
    devServers,
    waiter: new AttemptWaiter(attempts, approvals, events, liveLogs),
    ownMcp,
    eventStream: new EventStream(events),
    metrics,
    packs: new PackOverview(registry, config),
    webhooks: webhooks.service,
    webhookDispatcher: webhooks.dispatcher,
    health: () => healthOf(config.nodeId, startedAt, scheduler.runningCount),
    housekeeping,
    startBackgroundWork() {
      void housekeeping()
        .then((report) => logger.info(report, 'startup recovery and worktree reconcile done'))
        .catch((error) => logger.error({ err: error }, 'startup housekeeping failed'))
        .finally(() => {
          scheduler.start();
          // After recovery: what a crash left between a dependency's end and its dependents' start.
          if (features.enabled('dependencies')) void autoStarter.sweep();
        });
      if (features.enabled('dependencies')) autoStarter.start();
      events.start();
      poller.start();
      if (features.enabled('webhooks')) void webhooks.dispatcher.start().catch((error) => logger.error({ err: error }, 'the webhook dispatcher did not start'));
      timer = setInterval(() => {
        void housekeeping().catch((error) => logger.error({ err: error }, 'periodic housekeeping failed'));
      }, config.reconcileIntervalMs);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      await poller.stop();
      await autoStarter.stop();
      await devServers.stopAll();
      await scheduler.shutdown();
      await housekeepingRun?.catch(() => undefined);
      await poolFiller.stop();
      await webhooks.dispatcher.stop();
      await events.stop();
      await checkpointer.stop();
      await db.destroy();
    },
  };
  return forge;
}

/**
 * Before the API answers: rows an older version stored lose the credentials in their remote
 * URLs, and attempts' secret options are sealed (spec/decisions/0015).
 */
async function keepNoSecretInClear(projects: ProjectService, secrets: AttemptSecrets, registry: PackRegistry, logger: Logger): Promise<void> {
  const remoteUrls = await projects.scrubStoredRemoteUrls();
  const { attempts, sealedWhole } = await secrets.sealOptionsInClear(registry);
  if (remoteUrls > 0 || attempts > 0) logger.info({ remoteUrls, attempts }, 'took credentials out of stored remote URLs and sealed stored secret options');
  if (sealedWhole > 0) {
    logger.warn({ attempts: sealedWhole }, 'older attempts whose executor pack is not loaded had all their options sealed; they show as [redacted]');
  }
}

/**
 * The token a push to the project's remote carries, when Forge has one for its code host
 * (spec/decisions/0030); null when no provider serves the remote: git pushes as the user set it up.
 */
function pushCredentialsFor(resolver: ProviderResolver, project: Project): PushCredentials | null {
  if (!project.remoteUrl) return null;
  let resolved: ResolvedProvider;
  try {
    resolved = resolver.resolve(project);
  } catch {
    return null;
  }
  return resolver.pushCredentials(resolved, project.remoteUrl);
}
