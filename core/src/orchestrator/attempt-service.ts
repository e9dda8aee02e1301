import { ForgeError } from '@forge-core/sdk';
import { branchExists } from '../git/repository.ts';
import type { Lifecycles } from '../lifecycle/lifecycles.ts';
import type { PackRegistry } from '../plugins/pack-registry.ts';
import type { Attempt } from '../store/attempt-store.ts';
import { FINISHED_ATTEMPT_STATES } from '../store/attempt-store.ts';
import { newId } from '../store/ids.ts';
import type { ProcessRecord } from '../store/process-store.ts';
import type { Stores } from '../store/stores.ts';
import type { AttemptSecrets } from './attempt-secrets.ts';
import { alreadyMerged } from './already-merged.ts';
import { branchName } from './branch-name.ts';
import { requireRepository } from './repository-guard.ts';
import { withTaskLock } from './task-lock.ts';
import { ATTEMPT_TRANSITIONS } from '../lifecycle/attempt-lifecycle.ts';
import { transitionRefused } from '../lifecycle/transitions.ts';
import { withAttemptLock } from '../worktrees/attempt-lock.ts';
import { markerWithoutSecret, type ProfileService } from './profile-service.ts';
import { REDACTED } from '../runtime/redact-credentials.ts';
import type { Scheduler } from './scheduler.ts';
import type { DependencyService } from './dependency-service.ts';
import type { Task } from '../store/task-store.ts';

export interface StartAttemptInput {
  /** The executor; may be left out when `profile` names one. */
  executor?: string | undefined;
  /** An executor profile whose options the attempt starts from; `options` given too override them. */
  profile?: string | undefined;
  options?: Record<string, unknown> | undefined;
  baseBranch?: string | undefined;
  /** Defaults to the task's title and description. */
  prompt?: string | undefined;
  /** Lets an attempt start on a done or cancelled task, moving it back to inprogress. */
  reopen?: boolean | undefined;
}

export interface FollowUpInput {
  prompt: string;
  /** Lets the follow-up run when the attempt's task is done or cancelled, moving it back to inprogress. */
  reopen?: boolean | undefined;
}

/**
 * Options as given, the secret marker replaced by the profile's own value (a client that sends
 * back what it was shown keeps the secret); the marker with nothing behind it is a 400.
 */
function withoutMarkers(given: Record<string, unknown>, profile: Record<string, unknown>, why: string): Record<string, unknown> {
  const options = { ...given };
  for (const [name, value] of Object.entries(given)) {
    if (value !== REDACTED) continue;
    if (!Object.hasOwn(profile, name)) throw markerWithoutSecret(`options.${name}`, why);
    options[name] = profile[name];
  }
  return options;
}

export class AttemptService {
  constructor(
    private readonly stores: Stores,
    private readonly lifecycles: Lifecycles,
    private readonly registry: PackRegistry,
    private readonly scheduler: Scheduler,
    private readonly branchPrefix: string,
    private readonly secrets: AttemptSecrets,
    private readonly profiles: ProfileService,
    private readonly dependencies: Pick<DependencyService, 'unfinishedDependencies'>,
  ) {}

  /** The executor and options a start request stands for, a profile's options under the ones given. */
  private async executorChoice(input: StartAttemptInput): Promise<{ executor: string; options: Record<string, unknown> }> {
    if (input.profile === undefined) {
      if (input.executor === undefined) {
        const problem = { path: 'executor', message: 'give "executor" (an executor id) or "profile" (an executor profile name)' };
        throw new ForgeError('FORGE_VALIDATION_FAILED', `Invalid request payload: ${problem.message}`, { source: 'payload', problems: [problem] });
      }
      return { executor: input.executor, options: withoutMarkers(input.options ?? {}, {}, 'no profile holds it') };
    }
    const profile = await this.profiles.resolve(input.profile);
    if (input.executor !== undefined && input.executor !== profile.executor) {
      const problem = { path: 'executor', message: `profile "${input.profile}" is for executor "${profile.executor}", not "${input.executor}"; leave "executor" out or make them agree` };
      throw new ForgeError('FORGE_VALIDATION_FAILED', `Invalid request payload: ${problem.message}`, { source: 'payload', problems: [problem] });
    }
    const given = withoutMarkers(input.options ?? {}, profile.options, `profile "${input.profile}" holds no such option`);
    return { executor: profile.executor, options: { ...profile.options, ...given } };
  }

  /**
   * Records the attempt as queued and returns at once; the scheduler starts it when it fits. A
   * task that waits on dependencies not done yet is refused (409 FORGE_TASK_BLOCKED).
   */
  async start(taskId: string, input: StartAttemptInput): Promise<Attempt> {
    return (await this.queueAttempt(taskId, input, { firstOnly: false }))!;
  }

  /**
   * The task's first attempt, for autoStart (spec/decisions/0032): nothing when it has one
   * already. That is checked holding the task's lock, which every start takes, so two triggers at
   * once start one attempt.
   */
  startFirst(taskId: string, input: StartAttemptInput): Promise<Attempt | null> {
    return this.queueAttempt(taskId, input, { firstOnly: true });
  }

  private async queueAttempt(taskId: string, input: StartAttemptInput, how: { firstOnly: boolean }): Promise<Attempt | null> {
    const found = await this.stores.tasks.getWithRepository(taskId);
    if (!found) throw new ForgeError('FORGE_NOT_FOUND', `No task with id ${taskId}.`, { taskId });
    const { task, repoPath, defaultBranch } = found;
    requireRepository({ id: task.projectId, repoPath });
    const choice = await this.executorChoice(input);
    const entry = this.registry.executor(choice.executor);
    const notLoaded = entry ? undefined : this.registry.packContributing(choice.executor);
    if (notLoaded) {
      throw new ForgeError(
        'FORGE_EXECUTOR_UNAVAILABLE',
        `Executor "${choice.executor}" comes from ${notLoaded.name}, which is ${notLoaded.status}: ${notLoaded.error?.message ?? 'not loaded'}`,
        { field: 'executor', pack: notLoaded.name, status: notLoaded.status },
      );
    }
    if (!entry) {
      const installed = this.registry.listExecutors().map((e) => e.id);
      throw new ForgeError(
        'FORGE_EXECUTOR_NOT_FOUND',
        `No executor "${choice.executor}" is installed; installed: ${installed.join(', ') || 'none'}.`,
        { field: 'executor', installed },
      );
    }
    if (!entry.detection.available) {
      throw new ForgeError('FORGE_EXECUTOR_UNAVAILABLE', `Executor "${entry.id}" cannot run here: ${entry.detection.reason ?? 'unavailable'}.`, {
        field: 'executor',
      });
    }
    const { error, value: options } = entry.optionsSchema.validate(choice.options, { abortEarly: false });
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
    const newAttempt = {
      id,
      taskId,
      executor: { id: entry.id, package: entry.packageName, version: entry.packageVersion, contractVersion: entry.contractVersion },
      options: stored.options,
      sealedOptions: stored.sealedOptions,
      prompt: input.prompt ?? (task.description ? `${task.title}\n\n${task.description}` : task.title),
      branch: branchName(this.branchPrefix, id, task.title),
      baseBranch,
    };
    // In turn with closing or deleting the task: a start that comes during either waits, then
    // finds the task closed (409) or gone (404). And with a new dependency of the task, which
    // takes the lock too: the start sees the edge, or the edge comes after the start.
    const attempt = await withTaskLock(taskId, async () => {
      await this.requireUnblocked(task);
      if (how.firstOnly && (await this.stores.attempts.listByTask(taskId)).length > 0) return null;
      return this.lifecycles.attempts.create(newAttempt, { reopen: input.reopen ?? false });
    });
    if (attempt) this.scheduler.wake();
    return attempt;
  }

  /** Refuses to start a task that waits on dependencies not done yet, naming them. */
  private async requireUnblocked(task: Task): Promise<void> {
    const waiting = await this.dependencies.unfinishedDependencies(task.id);
    if (waiting.length === 0) return;
    const named = waiting.map((dependency) => `${dependency.id} (${dependency.title}, ${dependency.status})`).join(', ');
    throw new ForgeError(
      'FORGE_TASK_BLOCKED',
      `Task ${task.id} (${task.title}) waits on ${waiting.length === 1 ? 'a dependency' : `${waiting.length} dependencies`} not done yet: ${named}. It can start once they are done; with "autoStart": true (PATCH /api/v1/tasks/${task.id}) it starts by itself then.`,
      { taskId: task.id, waitingOn: waiting.map(({ id, title, status }) => ({ id, title, status })) },
    );
  }

  /** Where a queued attempt stands among the queued ones (1: next), or null when it is not queued. */
  queuePosition(id: string): Promise<number | null> {
    return this.stores.attempts.queuePosition(id);
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

  /** The attempt's processes (setup, agent, cleanup), oldest first. */
  async processes(id: string): Promise<ProcessRecord[]> {
    await this.get(id);
    return this.stores.processes.listByAttempt(id);
  }

  /** Stops the attempt wherever it is; resolves with its final state. */
  async stop(id: string): Promise<Attempt> {
    const attempt = await this.get(id);
    if (FINISHED_ATTEMPT_STATES.includes(attempt.state)) {
      throw transitionRefused('attempt', id, ATTEMPT_TRANSITIONS, attempt.state, 'cancelled', 'It has finished; there is nothing to stop.');
    }
    await this.stopIfLive(id);
    return this.get(id);
  }

  /** Stops a live attempt; does nothing to a finished one (used when its task or project goes). */
  async stopIfLive(id: string): Promise<void> {
    const cancel = { changes: { finishedAt: new Date().toISOString(), followUpPrompt: null } } as const;
    if (await this.scheduler.stop(id)) return;
    // A queued attempt may be waiting out a rate limit: stopped, it waits for nothing.
    const stopped = await this.lifecycles.attempts.moveIfAllowed(id, 'cancelled', { changes: { ...cancel.changes, error: null }, onlyFrom: ['queued'] });
    if (stopped) return;
    // Claimed by the scheduler between the two checks: it is running here now.
    if (await this.scheduler.stop(id)) return;
    // Live in the database but not running on this server: stranded, nothing to abort.
    if (!this.scheduler.isActive(id)) await this.lifecycles.attempts.moveIfAllowed(id, 'cancelled', { ...cancel, onlyFrom: ['preparing', 'running'] });
  }

  /**
   * Queues the agent again in the same worktree, resuming its session when it can. A merged
   * attempt's work is final: continuing it is a new attempt (spec/decisions/0022).
   */
  async followUp(id: string, input: FollowUpInput): Promise<Attempt> {
    const { taskId } = await this.get(id);
    // In turn with closing the task, and with a merge of the attempt (which may record it merged).
    const queued = await withTaskLock(taskId, () =>
      withAttemptLock(id, async () => {
        const attempt = await this.get(id);
        if (attempt.mergeCommit) throw alreadyMerged(attempt);
        if (!FINISHED_ATTEMPT_STATES.includes(attempt.state)) {
          throw transitionRefused('attempt', id, ATTEMPT_TRANSITIONS, attempt.state, 'queued', 'Wait for it to finish or stop it, then follow up.');
        }
        const found = await this.stores.tasks.getWithRepository(attempt.taskId);
        if (found) requireRepository({ id: found.task.projectId, repoPath: found.repoPath });
        return this.lifecycles.attempts.move(id, 'queued', {
          // The times of the run before are cleared: the next claim sets them again.
          changes: { followUpPrompt: input.prompt, error: null, retries: 0, startedAt: null, worktreeReadyAt: null, agentStartedAt: null, finishedAt: null },
          reopen: input.reopen ?? false,
        });
      }),
    );
    this.scheduler.wake();
    return queued;
  }
}
