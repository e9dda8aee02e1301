import {
  ForgeError,
  type DoneEvent,
  type ForgeErrorCode,
  type InferOptions,
  type McpServer,
  type OptionShape,
  type PackLogger,
  type RunContext,
  type RunFailureKind,
  type SpawnOptions,
} from '@forge-core/sdk';
import type { Logger } from 'pino';
import { attemptHead } from '../git/attempt-refs.ts';
import { commitAll } from '../git/commit.ts';
import { remoteUrls } from '../git/repository.ts';
import { consumeEventStream, type EventStreamLimits, type StreamOutcome } from '../plugins/event-stream-guard.ts';
import type { Lifecycles } from '../lifecycle/lifecycles.ts';
import type { ExecutorEntry, PackRegistry } from '../plugins/pack-registry.ts';
import { ATTEMPT_MARKER, killAttemptProcesses } from '../runtime/attempt-processes.ts';
import { agentEnvironment } from '../runtime/environment.ts';
import { HostProcess } from '@forge-core/sdk/process';
import type { LogPipeline } from '../runtime/log-pipeline.ts';
import type { LogPipelines } from '../runtime/log-pipelines.ts';
import { processStartTime } from '../runtime/process-table.ts';
import { credentialsInUrl } from '../runtime/redact-credentials.ts';
import type { Attempt, AttemptState } from '../store/attempt-store.ts';
import type { ProcessKind, ProcessStatus } from '../store/process-store.ts';
import type { Project } from '../store/project-store.ts';
import type { Stores } from '../store/stores.ts';
import type { WorktreeManager } from '../worktrees/worktree-manager.ts';
import type { ScratchDirs } from '../runtime/scratch-dirs.ts';
import type { ApprovalService } from './approval-service.ts';
import type { AttemptSecrets } from './attempt-secrets.ts';
import { commitMessage } from './commit-message.ts';
import { requireRepository } from './repository-guard.ts';
import { nextRetryAt, type RetryPolicy } from './retry-policy.ts';

export interface AttemptRunnerDeps {
  stores: Stores;
  /** Where the run appends to the attempt's log, beside a dev server that may be writing to it too. */
  logs: LogPipelines;
  registry: PackRegistry;
  worktrees: WorktreeManager;
  lifecycles: Lifecycles;
  nodeId: string;
  logger: Logger;
  streamLimits: EventStreamLimits;
  secrets: AttemptSecrets;
  approvals: ApprovalService;
  scratchDirs: ScratchDirs;
  /** The MCP servers a run of this attempt is given: the configured ones and Forge Core's own. */
  mcpServersFor(attemptId: string): readonly McpServer[];
  /** When a rate-limited or out-of-quota run is queued again instead of failing. */
  retryPolicy: RetryPolicy;
}

interface Outcome {
  state: Extract<AttemptState, 'succeeded' | 'failed' | 'cancelled'>;
  error: { code: string; message: string; retryAt?: string } | null;
  summary?: string | undefined;
}

/** The attempt's error code for a failure waiting or logging in fixes. */
/** How long a stopped attempt's agent may take to end its turn before its processes are stopped. */
const STOP_GRACE_MS = 1_500;

const FAILURE_CODES: Record<RunFailureKind, ForgeErrorCode> = {
  rate_limit: 'FORGE_AGENT_RATE_LIMITED',
  quota: 'FORGE_AGENT_QUOTA_EXCEEDED',
  auth: 'FORGE_AGENT_AUTH_REQUIRED',
};

/** The attempt's error for a run that reported failure: typed when the pack said what kind. */
function failureError(done: DoneEvent): NonNullable<Outcome['error']> {
  const message = done.error ?? 'The agent reported failure.';
  if (!done.failure) return { code: 'FORGE_AGENT_FAILED', message };
  const retryAt = done.failure.retryAfterMs === undefined ? undefined : new Date(Date.now() + done.failure.retryAfterMs).toISOString();
  return { code: FAILURE_CODES[done.failure.kind], message, ...(retryAt === undefined ? {} : { retryAt }) };
}

/** Values of the run's MCP servers that may be credentials (their environment, their headers): kept out of the log. */
function mcpSecrets(servers: readonly McpServer[]): string[] {
  const values = servers.flatMap((server) => Object.values(server.transport === 'stdio' ? server.env : server.headers));
  // A header is often a scheme and a token ("Bearer <token>"): the token alone is masked too.
  return [...values, ...values.flatMap((value) => value.split(/\s+/).slice(1))].filter((value) => value.length >= 4);
}

/** Everything one run of an attempt touches, so its helpers need not pass it around. */
interface Run {
  attempt: Attempt;
  project: Project;
  worktree: string;
  log: LogPipeline;
  signal: AbortSignal;
  processes: Set<HostProcess>;
}

/**
 * Runs one claimed attempt to a final state: worktree, setup script, the agent (first run or
 * follow-up), a commit of whatever it changed, the cleanup script. Whatever happens, the
 * attempt ends succeeded, failed or cancelled, and its processes are gone.
 */
export class AttemptRunner {
  constructor(private readonly deps: AttemptRunnerDeps) {}

  async run(attempt: Attempt, signal: AbortSignal): Promise<void> {
    const { lifecycles } = this.deps;
    const lease = await this.deps.logs.acquire(attempt.id);
    const log = lease.log;
    const processes = new Set<HostProcess>();
    // The agent hears of the stop first (Claude's interrupt, ACP's session/cancel) and has a moment
    // to end its turn; its processes are stopped after that, or as soon as the run ends.
    let stopTimer: NodeJS.Timeout | undefined;
    const stopAll = () => (stopTimer = setTimeout(() => processes.forEach((p) => void p.stop()), STOP_GRACE_MS));
    signal.addEventListener('abort', stopAll);
    let outcome: Outcome;
    try {
      outcome = await this.execute(attempt, signal, log, processes);
    } catch (error) {
      const code = error instanceof ForgeError ? error.code : 'FORGE_INTERNAL';
      if (code === 'FORGE_INTERNAL') this.deps.logger.error({ err: error, attemptId: attempt.id }, 'attempt failed unexpectedly');
      outcome = signal.aborted
        ? { state: 'cancelled', error: null }
        : { state: 'failed', error: { code, message: (error as Error).message } };
    } finally {
      signal.removeEventListener('abort', stopAll);
      clearTimeout(stopTimer);
      await Promise.all([...processes].map((p) => p.stop()));
      // The groups are gone; what left them (setsid, a daemon) is found by the attempt's marker.
      await killAttemptProcesses([attempt.id]).catch((error) =>
        this.deps.logger.error({ err: error, attemptId: attempt.id }, 'could not search for the processes of an attempt'),
      );
      await lease.release().catch((error) => this.deps.logger.error({ err: error, attemptId: attempt.id }, 'could not store log entries'));
    }
    // Fenced: should another node have claimed the attempt meanwhile (this one lost its lease),
    // its outcome is not this run's to write.
    const retryAt = signal.aborted ? null : nextRetryAt(this.deps.retryPolicy, outcome.error, attempt.retries);
    const ending = retryAt
      ? lifecycles.attempts.move(attempt.id, 'queued', {
          onlyFrom: ['running'],
          fencingToken: attempt.fencingToken,
          // Runs again as it ran: a follow-up's prompt waits again; the worktree and its work stay.
          changes: {
            error: { ...outcome.error!, retryAt },
            retries: attempt.retries + 1,
            followUpPrompt: attempt.followUpPrompt,
            nodeId: null,
            leaseUntil: null,
            startedAt: null,
            worktreeReadyAt: null,
            agentStartedAt: null,
          },
        })
      : lifecycles.attempts.move(attempt.id, outcome.state, {
          onlyFrom: ['preparing', 'running'],
          fencingToken: attempt.fencingToken,
          changes: { error: outcome.error, finishedAt: new Date().toISOString(), leaseUntil: null },
        });
    if (retryAt) this.deps.logger.info({ attemptId: attempt.id, code: outcome.error!.code, retryAt, retry: attempt.retries + 1 }, 'the agent was rate-limited or out of quota; the attempt is queued again');
    await ending.catch((error: unknown) => {
      // Another claim took it over, or it was ended meanwhile by something other than this run.
      if (!(error instanceof ForgeError && (error.code === 'FORGE_STALE_CLAIM' || error.code === 'FORGE_INVALID_TRANSITION'))) throw error;
      this.deps.logger.warn({ attemptId: attempt.id, code: error.code, details: error.details }, 'the attempt is no longer this run’s to end; its outcome is not written');
    });
  }

  private async execute(attempt: Attempt, signal: AbortSignal, log: LogPipeline, processes: Set<HostProcess>): Promise<Outcome> {
    const { stores, lifecycles } = this.deps;
    if (signal.aborted) return { state: 'cancelled', error: null }; // stopped while being claimed
    const task = await stores.tasks.get(attempt.taskId);
    const project = task && (await stores.projects.get(task.projectId));
    if (!project) throw new ForgeError('FORGE_NOT_FOUND', 'The task or project of this attempt was deleted.');
    requireRepository(project);
    // Whatever the run prints of the repository's remote credentials (`git remote -v`, its
    // config) stays out of the log, as git's own output does (spec/decisions/0015).
    log.redact((await remoteUrls(project.repoPath)).flatMap(credentialsInUrl));
    const entry = this.deps.registry.executor(attempt.executor.id);
    if (!entry) {
      throw new ForgeError('FORGE_EXECUTOR_NOT_FOUND', `Executor "${attempt.executor.id}" is not installed on this server.`);
    }

    let worktree = attempt.worktreePath;
    const freshWorktree = !worktree || !(await this.deps.worktrees.exists(worktree));
    if (freshWorktree) {
      // A follow-up whose worktree was removed (its task was closed, or the retention took it)
      // continues the attempt's own work: its branch, or the commit kept when the branch was
      // deleted, by commit id, so a branch deleted meanwhile cannot fail the add. A first run
      // starts from the base, whatever a half-made earlier try left behind.
      const continued = attempt.followUpPrompt !== null ? await attemptHead(project.repoPath, attempt) : null;
      const baseRef = continued ?? attempt.baseBranch;
      worktree = await this.deps.worktrees.create({
        repoPath: project.repoPath,
        projectId: project.id,
        attemptId: attempt.id,
        branch: attempt.branch,
        baseRef,
        nodeId: this.deps.nodeId,
      });
    }
    // Only the holder of the claim writes, in the state it expects (a stranded-attempt stop may have ended it).
    const held = { inStates: ['preparing'] as const, fencingToken: attempt.fencingToken };
    await lifecycles.attempts.record(attempt.id, { worktreePath: worktree, worktreeReadyAt: new Date().toISOString() }, held);
    const run: Run = { attempt, project, worktree: worktree!, log, signal, processes };
    if (freshWorktree && project.setupScript) {
      const setup = await this.runScript(run, 'setup', project.setupScript);
      if (setup !== 'succeeded') {
        return setup === 'cancelled'
          ? { state: 'cancelled', error: null }
          : { state: 'failed', error: { code: 'FORGE_SETUP_SCRIPT_FAILED', message: 'The setup script failed; see the setup process log.' } };
      }
    }
    if (signal.aborted) return { state: 'cancelled', error: null };

    const prompt = attempt.followUpPrompt ?? attempt.prompt;
    await lifecycles.attempts.move(attempt.id, 'running', {
      onlyFrom: held.inStates,
      fencingToken: held.fencingToken,
      changes: { followUpPrompt: null, agentStartedAt: new Date().toISOString() },
    });
    const { processId, ...outcome } = await this.runAgent(run, entry, prompt);

    // Whatever the outcome, the agent's work is kept on the attempt's branch; when it cannot be,
    // the attempt fails, even a stopped one: neither `succeeded` nor `cancelled` may hide lost work.
    const commitError = await this.commitWork(run, processId, commitMessage(outcome.summary, attempt));
    const worktreeGone = !(await this.deps.worktrees.exists(run.worktree));
    if (project.cleanupScript && outcome.state !== 'cancelled') {
      if (worktreeGone) log.append(processId, 'log', { level: 'warn', text: 'The cleanup script was not run: the worktree it runs in is gone.' });
      else await this.runScript(run, 'cleanup', project.cleanupScript);
    }
    return commitError ? { state: 'failed', error: commitError } : outcome;
  }

  /** Commits the agent's work on the attempt's branch; the error to fail the attempt with when that fails. */
  private async commitWork(run: Run, processId: string, message: string): Promise<Outcome['error']> {
    const { attempt, project, worktree, log } = run;
    let error: string | null = null;
    if (!(await this.deps.worktrees.exists(worktree))) {
      error =
        `The worktree ${worktree} was deleted while the agent ran, so its work could not be committed to ${attempt.branch} and is lost. ` +
        'Send a follow-up to run the agent again from the last commit of the branch, or start a new attempt.';
    } else {
      try {
        const committed = await commitAll(worktree, message);
        if (committed) log.append(processId, 'log', { level: 'info', text: `Committed the agent's changes as ${committed}.` });
      } catch (cause) {
        error =
          `The agent's work could not be committed to ${attempt.branch}: ${(cause as Error).message.replace(/\.$/, '')}. ` +
          `The changes are still in ${worktree}. If the repository ${project.repoPath} was moved or deleted, put it back and send a follow-up, which commits them.`;
      }
    }
    if (error) log.append(processId, 'log', { level: 'error', text: `FORGE_COMMIT_FAILED: ${error}` });
    return error === null ? null : { code: 'FORGE_COMMIT_FAILED', message: error };
  }

  private async runAgent(run: Run, entry: ExecutorEntry, prompt: string): Promise<Outcome & { processId: string }> {
    const { attempt, log } = run;
    // Opened for this run only; from here on the log and the outcome never show them.
    const secrets = await this.deps.secrets.forRun(attempt, entry.executor.options);
    const mcpServers = this.deps.mcpServersFor(attempt.id);
    log.redact([...secrets.values, ...mcpSecrets(mcpServers)]);
    const proc = await this.startProcess(run, 'agent');
    // The run's own controller: aborted by the user's stop or by a contract violation.
    const controller = new AbortController();
    const abort = () => controller.abort();
    run.signal.addEventListener('abort', abort);
    const scratchDir = await this.deps.scratchDirs.create(attempt.id, proc.id);
    const ctx: RunContext = {
      worktree: { path: run.worktree, branch: attempt.branch },
      signal: controller.signal,
      log: this.packLogger(run, proc.id),
      // The attempt's own secrets win over what the pack sets: a key given for this attempt beats one passed from the server.
      spawn: (command, args, options) => this.spawn(run, proc.id, command, args, { ...options, env: { ...options?.env, ...secrets.environment } }),
      requestApproval: (request) =>
        this.deps.approvals.request(
          {
            attemptId: attempt.id,
            processId: proc.id,
            signal: controller.signal,
            log: (kind, payload) => log.append(proc.id, kind, payload),
            mask: (value) => log.mask(value),
          },
          request,
        ),
      mcpServers,
      scratchDir,
      config: entry.config,
    };
    // The options were validated against the executor's own descriptors when the attempt was made.
    const input = { attemptId: attempt.id, prompt, options: secrets.options as InferOptions<OptionShape> };
    const resuming = Boolean(attempt.followUpPrompt !== null && attempt.agentSessionId !== null && entry.executor.resume);
    const site = { plugin: entry.packageName, contribution: entry.id, hook: resuming ? 'resume' : 'run' };
    let stream: StreamOutcome;
    try {
      stream = await consumeEventStream(
        () => (resuming ? entry.executor.resume!({ ...input, sessionId: attempt.agentSessionId! }, ctx) : entry.executor.run(input, ctx)),
        { site, signal: controller.signal, limits: this.deps.streamLimits, hasLiveProcess: () => [...run.processes].some((p) => !p.hasExited) },
        async (event) => {
          const { type, ...payload } = event;
          log.append(proc.id, type, payload);
          if (event.type === 'session') {
            await this.deps.lifecycles.attempts.record(attempt.id, { agentSessionId: event.sessionId }, { inStates: ['running'], fencingToken: attempt.fencingToken });
          }
        },
      );
    } catch (error) {
      // Only the host's own handling of an event can throw here: a bug, but the process row and
      // the attempt still end.
      this.deps.logger.error({ err: error, attemptId: attempt.id }, 'handling an agent event failed');
      stream = { done: null, violation: new ForgeError('FORGE_INTERNAL', `Handling the agent's events failed: ${(error as Error).message}`) };
    } finally {
      run.signal.removeEventListener('abort', abort);
      controller.abort();
      // The CLI's files for this run (its MCP configuration) go once its processes are stopped.
      await Promise.all([...run.processes].map((p) => p.stop()));
      await this.deps.scratchDirs
        .remove(attempt.id, proc.id)
        .catch((error) => this.deps.logger.warn({ err: error, attemptId: attempt.id }, 'could not remove the scratch folder of a run'));
    }
    const { done, violation } = stream;
    // A pack that broke the contract may have left its agent running: stop it before its work is committed.
    if (violation) await Promise.all([...run.processes].map((p) => p.stop()));
    if (violation) log.append(proc.id, 'log', { level: 'error', text: `${violation.code}: ${violation.message}` });
    const reported: Outcome = run.signal.aborted
      ? { state: 'cancelled', error: null, summary: done?.summary }
      : violation
        ? { state: 'failed', error: { code: violation.code, message: violation.message } }
        : done!.status === 'failed'
          ? { state: 'failed', error: failureError(done!), summary: done!.summary }
          : { state: done!.status, error: null, summary: done!.summary };
    // An error or summary may quote a secret the run was given; it ends up in the API and a commit.
    const outcome = log.mask(reported);
    await this.finishProcess(proc.id, outcome.state, done?.exitCode ?? null, outcome.error?.message ?? null);
    return { ...outcome, processId: proc.id };
  }

  private async runScript(run: Run, kind: ProcessKind, script: string): Promise<ProcessStatus> {
    const proc = await this.startProcess(run, kind);
    const child = this.spawn(run, proc.id, '/bin/sh', ['-c', script]);
    for await (const line of child.lines()) {
      run.log.append(proc.id, 'log', { level: line.stream === 'stdout' ? 'info' : 'warn', stream: line.stream, text: line.text });
    }
    const exit = await child.exited;
    const status: ProcessStatus = run.signal.aborted ? 'cancelled' : exit.code === 0 ? 'succeeded' : 'failed';
    const error = status === 'failed' ? `The ${kind} script ${exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`}.` : null;
    await this.finishProcess(proc.id, status, exit.code, error);
    return status;
  }

  private spawn(run: Run, processId: string, command: string, args: readonly string[], options: SpawnOptions = {}) {
    const child = new HostProcess(command, args, {
      cwd: run.worktree,
      env: agentEnvironment({ ...options.env, [ATTEMPT_MARKER]: run.attempt.id, FORGE_WORKTREE: run.worktree }),
      stdin: options.stdin,
      interactive: options.interactive,
    });
    run.processes.add(child);
    if (run.signal.aborted) void child.stop();
    if (child.pid !== undefined) void this.recordPid(processId, child.pid);
    return child;
  }

  /** The pid with its start time, so recovery after a crash can tell our process group from a recycled pid. */
  private async recordPid(processId: string, pid: number): Promise<void> {
    await this.deps.stores.processes
      .setPid(processId, pid, await processStartTime(pid))
      .catch((error) => this.deps.logger.error({ err: error, processId }, 'could not record the pid of a process'));
  }

  private async startProcess(run: Run, kind: ProcessKind) {
    return this.deps.lifecycles.processes.start(run.attempt.id, kind);
  }

  private async finishProcess(id: string, status: Exclude<ProcessStatus, 'running'>, exitCode: number | null, error: string | null) {
    await this.deps.lifecycles.processes.finish(id, { status, exitCode, error });
  }

  private packLogger(run: Run, processId: string): PackLogger {
    const write = (level: 'debug' | 'info' | 'warn' | 'error') => (text: string) =>
      void run.log.append(processId, 'log', { level, text: String(text).slice(0, 100_000) });
    return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
  }
}
