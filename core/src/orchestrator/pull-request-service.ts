import { ForgeError, type ChecksReport, type PullRequest, type PullRequestRef, type ReviewComment } from '@forge-core/sdk';
import type { Logger } from 'pino';
import type { EventLog } from '../events/event-log.ts';
import { commitMessagesBetween } from '../git/branch-log.ts';
import { branchExists } from '../git/repository.ts';
import { inTurn } from '../locks/in-turn.ts';
import type { ProviderDriver } from '../providers/provider-driver.ts';
import { describeProvider, type ProviderResolver, type ResolvedProvider } from '../providers/provider-resolver.ts';
import { now } from '../store/clock.ts';
import { FINISHED_ATTEMPT_STATES, type Attempt } from '../store/attempt-store.ts';
import type { Project } from '../store/project-store.ts';
import type { PullRequestChanges, PullRequestRecord } from '../store/pull-request-store.ts';
import type { Stores } from '../store/stores.ts';
import type { Task } from '../store/task-store.ts';
import type { AttemptService } from './attempt-service.ts';
import type { BranchService } from './branch-service.ts';
import { decideReaction } from './pull-request-reactions.ts';
import { pullRequestBody } from './pull-request-text.ts';
import { pullRequestView, type PullRequestView } from './pull-request-view.ts';

export interface OpenPullRequestInput {
  /** Default: the task's title. */
  title?: string;
  /** Put before the generated description. */
  body?: string;
  draft?: boolean;
}

export interface PullRequestServiceOptions {
  /** When a pull request on this code host, opened or polled now, is polled next. */
  nextPollAt(host: string): string;
}

interface Context {
  attempt: Attempt;
  task: Task;
  project: Project;
}

/**
 * An attempt's pull request: opened once (push, then find or create on the code host), read
 * back, and refreshed by a poll that follows its state and checks, reacts to failures and
 * comments as the project asks, and closes the task once the host merged it.
 */
export class PullRequestService {
  constructor(
    private readonly stores: Stores,
    private readonly events: EventLog,
    private readonly resolver: ProviderResolver,
    private readonly driver: ProviderDriver,
    private readonly branches: BranchService,
    private readonly attempts: AttemptService,
    private readonly closeTask: (taskId: string) => Promise<void>,
    private readonly options: PullRequestServiceOptions,
    private readonly logger: Logger,
  ) {}

  async get(attemptId: string): Promise<PullRequestView> {
    const { project } = await this.context(attemptId);
    const record = await this.stores.pullRequests.get(attemptId);
    if (!record) {
      throw new ForgeError('FORGE_NOT_FOUND', `Attempt ${attemptId} has no pull request; open one with POST /api/v1/attempts/${attemptId}/pull-request.`, { attemptId });
    }
    return pullRequestView(record, project.pullRequestReactions);
  }

  /** The few facts the attempt itself shows about its pull request, or null without one. */
  async summary(attemptId: string): Promise<{ number: number; url: string; state: PullRequestRecord['state']; checks: ChecksReport['state'] | null } | null> {
    const record = await this.stores.pullRequests.get(attemptId);
    return record ? { number: record.number, url: record.url, state: record.state, checks: record.checks?.state ?? null } : null;
  }

  /**
   * Pushes the attempt's branch and opens its pull request, or answers the one it has. In turn
   * per attempt, and the host is asked first for a pull request of the branch, so neither a
   * second call nor one after a crash between opening and storing opens another.
   */
  open(attemptId: string, input: OpenPullRequestInput): Promise<PullRequestView> {
    return inTurn(`pull-request:${attemptId}`, async () => {
      const context = await this.context(attemptId);
      const { attempt, project } = context;
      const existing = await this.stores.pullRequests.get(attemptId);
      // A closed one is history: asking again opens a new one (or adopts one opened on the host since).
      if (existing && existing.state !== 'closed') return pullRequestView(existing, project.pullRequestReactions);
      if (!FINISHED_ATTEMPT_STATES.includes(attempt.state)) {
        throw new ForgeError('FORGE_CONFLICT', `Attempt ${attemptId} is ${attempt.state}; open its pull request once it has finished.`, { state: attempt.state });
      }
      if (attempt.mergeCommit) {
        throw new ForgeError('FORGE_ALREADY_MERGED', `Attempt ${attemptId} was merged into ${attempt.baseBranch} here already (${attempt.mergeCommit}); push the base branch instead of opening a pull request.`, {
          mergeCommit: attempt.mergeCommit,
        });
      }
      const resolved = this.resolver.resolve(project);
      if (resolved.token === null) {
        throw new ForgeError(
          'FORGE_PROVIDER_NOT_CONFIGURED',
          `${describeProvider(resolved)} needs a token to open pull requests, and none is configured: set ${resolved.tokenSource}.`,
          { provider: resolved.entry.id, host: resolved.remote.host },
        );
      }
      if (!(await branchExists(project.repoPath, attempt.baseBranch))) {
        throw new ForgeError('FORGE_BRANCH_NOT_FOUND', `The base branch "${attempt.baseBranch}" of attempt ${attemptId} does not exist in ${project.repoPath}; a pull request needs it to merge into.`, {
          branch: attempt.baseBranch,
        });
      }
      await this.branches.push(attemptId, 'attempt');
      const messages = await commitMessagesBetween(project.repoPath, attempt.baseBranch, attempt.branch);
      if (messages.length === 0) {
        throw new ForgeError('FORGE_NOTHING_TO_MERGE', `${attempt.branch} has no commits that ${attempt.baseBranch} lacks, so there is nothing to open a pull request for.`, {
          branch: attempt.branch,
          baseBranch: attempt.baseBranch,
        });
      }
      const pullRequest = await this.findOrCreate(resolved, context, input, messages);
      // The pull request exists now: a failure to read its comments must not lose Forge's record of it.
      // With none read, the first poll's comments count as new, which only matters with review reactions on.
      const seen = await this.commentsNow(resolved, { remote: resolved.remote, number: pullRequest.number }).catch((): ReviewComment[] => []);
      const record = await this.events.transact((tx, emit) => {
        if (existing) this.stores.pullRequests.delete(tx, attemptId);
        const stored = this.stores.pullRequests.insert(tx, {
          attemptId,
          provider: resolved.entry.id,
          host: resolved.remote.host,
          owner: resolved.remote.owner,
          repo: resolved.remote.repo,
          apiBaseUrl: resolved.apiBaseUrl,
          pullRequest,
          seenCommentIds: seen.map((comment) => comment.id),
          nextPollAt: this.options.nextPollAt(resolved.remote.host),
        });
        emit('pull_request.opened', attemptId, pullRequestView(stored, project.pullRequestReactions));
        return stored;
      });
      this.logger.info({ attemptId, provider: record.provider, number: record.number, url: record.url }, 'pull request opened');
      // Adopted after a crash, and merged on the host meanwhile: the task is done.
      if (record.state === 'merged') await this.closeMerged(context);
      return pullRequestView(record, project.pullRequestReactions);
    });
  }

  /** Polls the attempt's pull request now, whatever its schedule. */
  async refresh(attemptId: string): Promise<PullRequestView> {
    const record = await this.stores.pullRequests.get(attemptId);
    if (!record) await this.get(attemptId);
    return this.poll(record!);
  }

  /**
   * Reads the pull request's state, checks and (with review reactions on) its comments, stores
   * what changed with an event, pushes a finished reaction's work, starts the next reaction, and
   * closes the task once the host merged it. A failure is stored on the row and thrown.
   */
  poll(record: PullRequestRecord): Promise<PullRequestView> {
    return inTurn(`pull-request:${record.attemptId}`, async () => {
      const context = await this.context(record.attemptId);
      const current = (await this.stores.pullRequests.get(record.attemptId)) ?? record;
      try {
        return await this.pollNow(current, context);
      } catch (error) {
        const failure = failureOf(error, 'FORGE_PROVIDER_FAILED');
        await this.events.transact((tx, emit) => {
          const stored = this.stores.pullRequests.update(tx, current.attemptId, { error: failure, polledAt: now(), nextPollAt: this.options.nextPollAt(current.host) });
          // The same failure again (a rate limit's wait counting down) is no news.
          if (stored && current.error?.code !== failure.code) emit('pull_request.updated', current.attemptId, pullRequestView(stored, context.project.pullRequestReactions));
        });
        throw error;
      }
    });
  }

  private async pollNow(record: PullRequestRecord, context: Context): Promise<PullRequestView> {
    const { attempt, project } = context;
    const resolved = this.resolver.resolve(project);
    const ref: PullRequestRef = { remote: { host: record.host, owner: record.owner, repo: record.repo }, number: record.number };
    const pullRequest = await this.driver.call(resolved, 'getPullRequest', ref);
    const open = pullRequest.state === 'open';
    const checks = open && this.driver.has(resolved, 'getChecks') ? await this.driver.call(resolved, 'getChecks', ref) : null;
    // Comments feed only the review reaction: when they cannot be read, the state and checks are still kept.
    let commentsFailure: { code: string; message: string } | null = null;
    const comments =
      open && project.pullRequestReactions?.reviewComments
        ? await this.commentsNow(resolved, ref).catch((error: unknown) => {
            if (!(error instanceof ForgeError)) throw error;
            commentsFailure = failureOf(error, 'FORGE_PROVIDER_FAILED');
            return null;
          })
        : null;
    let pending = record.reactionPending;
    const attemptFinished = FINISHED_ATTEMPT_STATES.includes(attempt.state);
    // A reaction's run that did not succeed (it failed, was stopped, or the server died under it) is not retried: a person is told.
    const failedReaction = pending !== null && attemptFinished && attempt.state !== 'succeeded' ? pending : null;
    let pushFailure: string | null = null;
    if (pending !== null && attemptFinished) {
      // The reaction's run is over: its commits go to the pull request's branch. A push that fails
      // (someone pushed there meanwhile) is told to a person rather than tried at every poll.
      if (open && failedReaction === null) await this.branches.push(attempt.id, 'attempt').catch((error: unknown) => {
        if (!(error instanceof ForgeError)) throw error;
        pushFailure = error.message;
      });
      pending = null;
    }
    const at = now();
    const observed: PullRequestChanges = {
      ...stateOf(pullRequest, checks),
      reactionPending: pending,
      error: commentsFailure,
      polledAt: at,
      nextPollAt: this.options.nextPollAt(record.host),
    };
    const decision = decideReaction({ record: { ...record, ...observed }, settings: project.pullRequestReactions, checks, comments, attemptFinished, at });
    const changes = decision.kind === 'none' ? observed : { ...observed, ...decision.changes };
    const stored = await this.events.transact((tx, emit) => {
      const updated = this.stores.pullRequests.update(tx, record.attemptId, changes)!;
      const view = pullRequestView(updated, project.pullRequestReactions);
      if (changedForReaders(record, updated)) emit('pull_request.updated', record.attemptId, view);
      if (decision.kind === 'follow-up') emit('pull_request.reaction', record.attemptId, { reason: decision.reason, pullRequest: view });
      if (pushFailure !== null) {
        emit('pull_request.needs_attention', record.attemptId, {
          reason: 'reaction_push_failed',
          message: `The follow-up of attempt ${record.attemptId} succeeded, but its work could not be pushed to ${updated.url}: ${pushFailure}`,
          pullRequest: view,
        });
      }
      if (failedReaction !== null) {
        emit('pull_request.needs_attention', record.attemptId, {
          reason: 'reaction_failed',
          message: `The follow-up of attempt ${record.attemptId} for ${failedReaction === 'checks' ? 'its failed checks' : 'review comments'} ended ${attempt.state}${attempt.error ? ` (${attempt.error.code})` : ''}; nothing was pushed, and its pull request ${updated.url} needs a person.`,
          pullRequest: view,
        });
      }
      if (decision.kind === 'budget-spent') {
        emit('pull_request.needs_attention', record.attemptId, {
          reason: decision.reason,
          message: `The follow-ups of attempt ${record.attemptId} are spent (${updated.reactionsUsed} of ${project.pullRequestReactions?.maxFollowUps}); its pull request ${updated.url} needs a person: ${decision.reason === 'checks' ? 'its checks failed' : 'it has new review comments'}.`,
          pullRequest: view,
        });
      }
      return updated;
    });
    if (decision.kind === 'follow-up') await this.followUp(stored, decision.prompt, project);
    if (pullRequest.state === 'merged' && record.state !== 'merged') await this.closeMerged(context);
    return pullRequestView((await this.stores.pullRequests.get(record.attemptId)) ?? stored, project.pullRequestReactions);
  }

  /** The host merged the attempt's pull request: its task is done. */
  private async closeMerged({ attempt, task }: Context): Promise<void> {
    await this.closeTask(task.id).catch((error: unknown) => this.logger.warn({ err: error, attemptId: attempt.id }, 'the merged pull request could not close its task'));
  }

  /** Queues the reaction's follow-up; when that is refused (the task was closed meanwhile), the reaction is taken back. */
  private async followUp(record: PullRequestRecord, prompt: string, project: Project): Promise<void> {
    try {
      await this.attempts.followUp(record.attemptId, { prompt });
    } catch (error) {
      const failure = failureOf(error, 'FORGE_INTERNAL');
      await this.events.transact((tx, emit) => {
        const stored = this.stores.pullRequests.update(tx, record.attemptId, { reactionPending: null, error: failure });
        if (stored) emit('pull_request.updated', record.attemptId, pullRequestView(stored, project.pullRequestReactions));
      });
    }
  }

  private async commentsNow(resolved: ResolvedProvider, ref: PullRequestRef): Promise<ReviewComment[]> {
    return this.driver.has(resolved, 'listReviewComments') ? this.driver.call(resolved, 'listReviewComments', ref) : [];
  }

  private async findOrCreate(resolved: ResolvedProvider, { attempt, task }: Context, input: OpenPullRequestInput, messages: string[]): Promise<PullRequest> {
    const remote = resolved.remote;
    if (this.driver.has(resolved, 'findPullRequest')) {
      const found = await this.driver.call(resolved, 'findPullRequest', { remote, head: attempt.branch, base: attempt.baseBranch });
      if (found && found.state !== 'closed') return found;
    }
    return this.driver.call(resolved, 'createPullRequest', {
      remote,
      title: input.title ?? task.title,
      body: pullRequestBody(task, attempt, messages, input.body),
      head: attempt.branch,
      base: attempt.baseBranch,
      draft: input.draft ?? false,
    });
  }

  private async context(attemptId: string): Promise<Context> {
    const attempt = await this.stores.attempts.get(attemptId);
    if (!attempt) throw new ForgeError('FORGE_NOT_FOUND', `No attempt with id ${attemptId}.`, { attemptId });
    const task = await this.stores.tasks.get(attempt.taskId);
    const project = task && (await this.stores.projects.get(task.projectId));
    if (!task || !project) throw new ForgeError('FORGE_NOT_FOUND', `Attempt ${attemptId} was deleted with its task.`, { attemptId });
    return { attempt, task, project };
  }
}

/** A failure as the row keeps it: a ForgeError's code and message, anything else under `fallback`. */
function failureOf(error: unknown, fallback: string): { code: string; message: string } {
  return error instanceof ForgeError ? { code: error.code, message: error.message } : { code: fallback, message: String(error) };
}

function stateOf(pullRequest: PullRequest, checks: ChecksReport | null): PullRequestChanges {
  return {
    state: pullRequest.state,
    draft: pullRequest.draft,
    title: pullRequest.title,
    url: pullRequest.url,
    ...(pullRequest.headSha === undefined ? {} : { headSha: pullRequest.headSha }),
    ...(checks === null ? {} : { checks: { state: checks.state, sha: checks.sha, items: checks.checks } }),
  };
}

/** Whether a reader of the events would see a difference (not just a new poll time). */
function changedForReaders(before: PullRequestRecord, after: PullRequestRecord): boolean {
  const shown = (record: PullRequestRecord) =>
    JSON.stringify([record.state, record.draft, record.title, record.url, record.headSha, record.checks, record.seenCommentIds.length, record.reactionPending, record.reactionsUsed, record.budgetSpentAt, record.error]);
  return shown(before) !== shown(after);
}
