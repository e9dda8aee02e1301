import { ForgeError } from '@forge-core/sdk';
import type { EventBus } from '../events/event-bus.ts';
import { branchExists } from '../git/repository.ts';
import type { PackRegistry } from '../plugins/pack-registry.ts';
import type { Attempt } from '../store/attempt-store.ts';
import { FINISHED_ATTEMPT_STATES } from '../store/attempt-store.ts';
import { newId } from '../store/ids.ts';
import type { Stores } from '../store/stores.ts';
import type { AttemptSecrets } from './attempt-secrets.ts';
import { branchName } from './branch-name.ts';
import { requireRepository } from './repository-guard.ts';
import type { Scheduler } from './scheduler.ts';
import type { StateChanges } from './state-changes.ts';

export interface StartAttemptInput {
  executor: string;
  options?: Record<string, unknown> | undefined;
  baseBranch?: string | undefined;
  /** Defaults to the task's title and description. */
  prompt?: string | undefined;
}

export class AttemptService {
  constructor(
    private readonly stores: Stores,
    private readonly bus: EventBus,
    private readonly registry: PackRegistry,
    private readonly changes: StateChanges,
    private readonly scheduler: Scheduler,
    private readonly branchPrefix: string,
    private readonly secrets: AttemptSecrets,
  ) {}

  /** Records the attempt as queued and returns at once; the scheduler starts it when it fits. */
  async start(taskId: string, input: StartAttemptInput): Promise<Attempt> {
    const found = await this.stores.tasks.getWithRepository(taskId);
    if (!found) throw new ForgeError('FORGE_NOT_FOUND', `No task with id ${taskId}.`, { taskId });
    const { task, repoPath, defaultBranch } = found;
    requireRepository({ id: task.projectId, repoPath });
    const entry = this.registry.executor(input.executor);
    const notLoaded = entry ? undefined : this.registry.packContributing(input.executor);
    if (notLoaded) {
      throw new ForgeError(
        'FORGE_EXECUTOR_UNAVAILABLE',
        `Executor "${input.executor}" comes from ${notLoaded.name}, which is ${notLoaded.status}: ${notLoaded.error?.message ?? 'not loaded'}`,
        { field: 'executor', pack: notLoaded.name, status: notLoaded.status },
      );
    }
    if (!entry) {
      const installed = this.registry.listExecutors().map((e) => e.id);
      throw new ForgeError(
        'FORGE_EXECUTOR_NOT_FOUND',
        `No executor "${input.executor}" is installed; installed: ${installed.join(', ') || 'none'}.`,
        { field: 'executor', installed },
      );
    }
    if (!entry.detection.available) {
      throw new ForgeError('FORGE_EXECUTOR_UNAVAILABLE', `Executor "${entry.id}" cannot run here: ${entry.detection.reason ?? 'unavailable'}.`, {
        field: 'executor',
      });
    }
    const { error, value: options } = entry.optionsSchema.validate(input.options ?? {}, { abortEarly: false });
    if (error) {
      throw new ForgeError('FORGE_VALIDATION_FAILED', `Invalid options for executor "${entry.id}": ${error.message}`, {
        problems: error.details.map((d) => ({ path: ['options', ...d.path].join('.'), message: d.message })),
      });
    }
    const baseBranch = input.baseBranch ?? defaultBranch;
    if (!(await branchExists(repoPath, baseBranch))) {
      throw new ForgeError('FORGE_BRANCH_NOT_FOUND', `Base branch "${baseBranch}" does not exist in ${repoPath}.`, {
        field: 'baseBranch',
      });
    }
    const id = newId();
    const stored = this.secrets.split(id, entry.executor.options, options);
    const attempt = await this.stores.attempts.create({
      id,
      taskId,
      executor: { id: entry.id, package: entry.packageName, version: entry.packageVersion, contractVersion: entry.contractVersion },
      options: stored.options,
      sealedOptions: stored.sealedOptions,
      prompt: input.prompt ?? (task.description ? `${task.title}\n\n${task.description}` : task.title),
      branch: branchName(this.branchPrefix, id, task.title),
      baseBranch,
    });
    this.bus.publish('attempt.created', attempt);
    // The task's status follows from its attempts, so it is updated just after the answer: in a
    // burst of starts every request is answered before any of these updates runs. A client still
    // reads its own write, since the update runs before the server reads its next request; if it
    // fails, the runner sets the status when it claims the attempt.
    setImmediate(() => void this.changes.taskStatus(taskId, 'inprogress', undefined, task).catch(() => undefined));
    this.scheduler.wake();
    return attempt;
  }

  async get(id: string): Promise<Attempt> {
    const attempt = await this.stores.attempts.get(id);
    if (!attempt) throw new ForgeError('FORGE_NOT_FOUND', `No attempt with id ${id}.`, { attemptId: id });
    return attempt;
  }

  async listByTask(taskId: string): Promise<Attempt[]> {
    if (!(await this.stores.tasks.get(taskId))) throw new ForgeError('FORGE_NOT_FOUND', `No task with id ${taskId}.`, { taskId });
    return this.stores.attempts.listByTask(taskId);
  }

  /** Stops the attempt wherever it is; resolves with its final state. */
  async stop(id: string): Promise<Attempt> {
    const attempt = await this.get(id);
    if (FINISHED_ATTEMPT_STATES.includes(attempt.state)) {
      throw new ForgeError('FORGE_CONFLICT', `Attempt ${id} has already ${attempt.state}; there is nothing to stop.`, { state: attempt.state });
    }
    await this.stopIfLive(id);
    return this.get(id);
  }

  /** Stops a live attempt; does nothing to a finished one (used when its task or project goes). */
  async stopIfLive(id: string): Promise<void> {
    const cancel = { state: 'cancelled', finishedAt: new Date().toISOString(), followUpPrompt: null } as const;
    if (await this.scheduler.stop(id)) return;
    let stopped = await this.changes.attempt(id, ['queued'], cancel);
    // Claimed by the scheduler between the two checks: it is running here now.
    if (!stopped && (await this.scheduler.stop(id))) return;
    // Live in the database but not running on this server: stranded, nothing to abort.
    if (!stopped && !this.scheduler.isActive(id)) stopped = await this.changes.attempt(id, ['preparing', 'running'], cancel);
    if (stopped) await this.changes.settleTask(stopped.taskId);
  }

  /** Queues the agent again in the same worktree, resuming its session when it can. */
  async followUp(id: string, prompt: string): Promise<Attempt> {
    const attempt = await this.get(id);
    if (!FINISHED_ATTEMPT_STATES.includes(attempt.state)) {
      throw new ForgeError('FORGE_CONFLICT', `Attempt ${id} is ${attempt.state}; wait for it to finish or stop it, then follow up.`, {
        state: attempt.state,
      });
    }
    const found = await this.stores.tasks.getWithRepository(attempt.taskId);
    if (found) requireRepository({ id: found.task.projectId, repoPath: found.repoPath });
    const queued = await this.changes.attempt(id, FINISHED_ATTEMPT_STATES, {
      state: 'queued',
      followUpPrompt: prompt,
      error: null,
      finishedAt: null,
    });
    if (!queued) throw new ForgeError('FORGE_CONFLICT', `Attempt ${id} changed state meanwhile; try again.`);
    await this.changes.taskStatus(attempt.taskId, 'inprogress');
    this.scheduler.wake();
    return queued;
  }
}
