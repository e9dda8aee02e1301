import type { Database } from './database.ts';
import { now } from './clock.ts';

export const ATTEMPT_STATES = ['queued', 'preparing', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type AttemptState = (typeof ATTEMPT_STATES)[number];
export const LIVE_ATTEMPT_STATES: readonly AttemptState[] = ['queued', 'preparing', 'running'];
/** The order queued attempts start in (over attempts joined with their tasks): one definition for the scheduler and the positions shown. */
const QUEUE_ORDER = 'tasks.priority desc, attempts.updated_at asc, attempts.id asc';

export const FINISHED_ATTEMPT_STATES: readonly AttemptState[] = ['succeeded', 'failed', 'cancelled'];

export interface ExecutorRef {
  id: string;
  package: string;
  version: string;
  contractVersion: string;
}

/** Why an attempt failed. */
export interface AttemptError {
  code: string;
  message: string;
  /** When the agent said it may be tried again (a rate limit), as an ISO time. */
  retryAt?: string;
}

export interface Attempt {
  id: string;
  taskId: string;
  executor: ExecutorRef;
  /** The executor's options, each secret one replaced by a marker (its value is sealed apart). */
  options: Record<string, unknown>;
  prompt: string;
  /** Set while a follow-up waits to run; cleared when it starts. */
  followUpPrompt: string | null;
  branch: string;
  baseBranch: string;
  worktreePath: string | null;
  state: AttemptState;
  agentSessionId: string | null;
  nodeId: string | null;
  leaseUntil: string | null;
  fencingToken: number;
  error: AttemptError | null;
  /** How many times a rate limit or quota sent it back to the queue (decision 0031). */
  retries: number;
  mergeCommit: string | null;
  createdAt: string;
  updatedAt: string;
  /** When the current run was claimed (it went to preparing). */
  startedAt: string | null;
  /** When the current run's worktree was ready (made, or found from an earlier run). */
  worktreeReadyAt: string | null;
  /** When the current run's agent was started. */
  agentStartedAt: string | null;
  finishedAt: string | null;
}

export type NewAttempt = Pick<Attempt, 'taskId' | 'executor' | 'options' | 'prompt' | 'branch' | 'baseBranch'> & {
  id?: string;
  /** The secret options, sealed (see SecretBox); none when absent. */
  sealedOptions?: string | null;
};

export interface AttemptChanges {
  state?: AttemptState;
  worktreePath?: string | null;
  agentSessionId?: string | null;
  followUpPrompt?: string | null;
  error?: AttemptError | null;
  retries?: number;
  mergeCommit?: string | null;
  nodeId?: string | null;
  leaseUntil?: string | null;
  startedAt?: string | null;
  worktreeReadyAt?: string | null;
  agentStartedAt?: string | null;
  finishedAt?: string | null;
}

export interface AttemptRow {
  id: string;
  task_id: string;
  executor_id: string;
  executor_package: string;
  executor_version: string;
  contract_version: string;
  options: string;
  sealed_options: string | null;
  /** False only on rows written before secrets were sealed: their options may hold one in clear. */
  options_redacted: boolean | number;
  prompt: string;
  follow_up_prompt: string | null;
  branch: string;
  base_branch: string;
  worktree_path: string | null;
  state: AttemptState;
  agent_session_id: string | null;
  node_id: string | null;
  lease_until: string | null;
  fencing_token: number;
  error_code: string | null;
  error_message: string | null;
  error_retry_at: string | null;
  retry_count: number;
  merge_commit: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  worktree_ready_at: string | null;
  agent_started_at: string | null;
  finished_at: string | null;
}

export function toAttempt(row: AttemptRow): Attempt {
  return {
    id: row.id,
    taskId: row.task_id,
    executor: {
      id: row.executor_id,
      package: row.executor_package,
      version: row.executor_version,
      contractVersion: row.contract_version,
    },
    options: JSON.parse(row.options),
    prompt: row.prompt,
    followUpPrompt: row.follow_up_prompt,
    branch: row.branch,
    baseBranch: row.base_branch,
    worktreePath: row.worktree_path,
    state: row.state,
    agentSessionId: row.agent_session_id,
    nodeId: row.node_id,
    leaseUntil: row.lease_until,
    fencingToken: row.fencing_token,
    error: row.error_code
      ? { code: row.error_code, message: row.error_message ?? '', ...(row.error_retry_at ? { retryAt: row.error_retry_at } : {}) }
      : null,
    retries: row.retry_count,
    mergeCommit: row.merge_commit,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    worktreeReadyAt: row.worktree_ready_at,
    agentStartedAt: row.agent_started_at,
    finishedAt: row.finished_at,
  };
}

/** The columns `changes` sets, plus the new updated_at. */
export function toRowPatch(changes: AttemptChanges): Partial<AttemptRow> {
  const patch: Partial<AttemptRow> = { updated_at: now() };
  if (changes.state !== undefined) patch.state = changes.state;
  if (changes.worktreePath !== undefined) patch.worktree_path = changes.worktreePath;
  if (changes.agentSessionId !== undefined) patch.agent_session_id = changes.agentSessionId;
  if (changes.followUpPrompt !== undefined) patch.follow_up_prompt = changes.followUpPrompt;
  if (changes.mergeCommit !== undefined) patch.merge_commit = changes.mergeCommit;
  if (changes.retries !== undefined) patch.retry_count = changes.retries;
  if (changes.nodeId !== undefined) patch.node_id = changes.nodeId;
  if (changes.leaseUntil !== undefined) patch.lease_until = changes.leaseUntil;
  if (changes.startedAt !== undefined) patch.started_at = changes.startedAt;
  if (changes.worktreeReadyAt !== undefined) patch.worktree_ready_at = changes.worktreeReadyAt;
  if (changes.agentStartedAt !== undefined) patch.agent_started_at = changes.agentStartedAt;
  if (changes.finishedAt !== undefined) patch.finished_at = changes.finishedAt;
  if (changes.error !== undefined) {
    patch.error_code = changes.error?.code ?? null;
    patch.error_message = changes.error?.message ?? null;
    patch.error_retry_at = changes.error?.retryAt ?? null;
  }
  return patch;
}

/** Reads of attempts, and the writes that touch no state; state goes through lifecycle/attempt-lifecycle.ts. */
export class AttemptStore {
  constructor(private readonly db: Database) {}

  async get(id: string): Promise<Attempt | undefined> {
    const row = await this.db<AttemptRow>('attempts').where({ id }).first();
    return row && toAttempt(row);
  }

  async sealedOptions(id: string): Promise<string | null> {
    const row: Pick<AttemptRow, 'sealed_options'> | undefined = await this.db('attempts').where({ id }).first('sealed_options');
    return row?.sealed_options ?? null;
  }

  /**
   * Up to `limit` attempts written before secret options were sealed, whose options may hold a
   * secret in clear: their id, executor and options only (prompts can be large).
   */
  async listWithOptionsInClear(limit: number): Promise<Array<Pick<Attempt, 'id' | 'executor' | 'options'>>> {
    const rows: Array<Pick<AttemptRow, 'id' | 'executor_id' | 'executor_package' | 'executor_version' | 'contract_version' | 'options'>> =
      await this.db('attempts')
        .where({ options_redacted: false })
        .select('id', 'executor_id', 'executor_package', 'executor_version', 'contract_version', 'options')
        .orderBy('id')
        .limit(limit);
    return rows.map((row) => ({
      id: row.id,
      executor: { id: row.executor_id, package: row.executor_package, version: row.executor_version, contractVersion: row.contract_version },
      options: JSON.parse(row.options),
    }));
  }

  /** Replaces an attempt's stored options by their redacted form and its sealed secrets. */
  async redactStoredOptions(id: string, options: Record<string, unknown>, sealedOptions: string | null): Promise<void> {
    await this.db('attempts')
      .where({ id })
      .update({ options: JSON.stringify(options), sealed_options: sealedOptions, options_redacted: true });
  }

  async listByTask(taskId: string): Promise<Attempt[]> {
    const rows: AttemptRow[] = await this.db('attempts').where({ task_id: taskId }).orderBy('id');
    return rows.map(toAttempt);
  }

  async listByProject(projectId: string): Promise<Attempt[]> {
    const rows: AttemptRow[] = await this.db('attempts')
      .join('tasks', 'tasks.id', 'attempts.task_id')
      .where('tasks.project_id', projectId)
      .select('attempts.*')
      .orderBy('attempts.id');
    return rows.map(toAttempt);
  }

  async listInStates(states: readonly AttemptState[], nodeId?: string): Promise<Attempt[]> {
    const query = this.db('attempts').whereIn('state', states as AttemptState[]).orderBy('id');
    if (nodeId !== undefined) query.where('node_id', nodeId);
    const rows: AttemptRow[] = await query;
    return rows.map(toAttempt);
  }

  /**
   * Queued attempts with their project, in the order the scheduler starts them: their task's
   * priority, highest first, then first queued first (a follow-up queues again when it is sent).
   */
  async listQueued(limit: number): Promise<Array<Attempt & { projectId: string }>> {
    const rows: Array<AttemptRow & { project_id: string }> = await this.db('attempts')
      .join('tasks', 'tasks.id', 'attempts.task_id')
      .where('attempts.state', 'queued')
      .select('attempts.*', 'tasks.project_id')
      .orderByRaw(QUEUE_ORDER)
      .limit(limit);
    return rows.map((row) => ({ ...toAttempt(row), projectId: row.project_id }));
  }

  /**
   * Where a queued attempt stands in the order `listQueued` starts them (1: next), or null when it
   * is not queued. A project's own cap may still hold it back when its turn comes.
   */
  async queuePosition(id: string): Promise<number | null> {
    const ranked = this.db('attempts')
      .join('tasks', 'tasks.id', 'attempts.task_id')
      .where('attempts.state', 'queued')
      .select('attempts.id', this.db.raw(`row_number() over (order by ${QUEUE_ORDER}) as position`));
    const row = (await this.db.from(ranked.as('queue')).where('queue.id', id).select('queue.position').first()) as { position: number } | undefined;
    return row === undefined ? null : Number(row.position);
  }

  /**
   * Per executor with queued attempts: how many, and until when a rate limit or quota holds its
   * queue: the latest retry time, still after `now`, of its attempts waiting on one, or of one that
   * failed on one with its retries spent (the limit is the account's, whatever became of the attempt).
   */
  async queueByExecutor(now: string, retryableCodes: readonly string[]): Promise<Array<{ executorId: string; queued: number; pausedUntil: string | null }>> {
    const codes = retryableCodes.map(() => '?').join(', ');
    const rows: Array<{ executor_id: string; queued: number; paused_until: string | null }> = await this.db('attempts')
      .where('state', 'queued')
      .orWhere((failed) => failed.where('state', 'failed').where('error_retry_at', '>', now))
      .groupBy('executor_id')
      .select(
        'executor_id',
        this.db.raw("sum(case when state = 'queued' then 1 else 0 end) as queued"),
        this.db.raw(`max(case when error_code in (${codes}) and error_retry_at > ? then error_retry_at end) as paused_until`, [...retryableCodes, now]),
      );
    return rows.map((row) => ({ executorId: row.executor_id, queued: Number(row.queued), pausedUntil: row.paused_until }));
  }

  /** How many attempts are in each state (every state present, zero when none): one GROUP BY over the state index. */
  async countByState(): Promise<Record<AttemptState, number>> {
    const rows: { state: AttemptState; count: number | string }[] = await this.db('attempts').groupBy('state').select('state').count({ count: '*' });
    const counts = Object.fromEntries(ATTEMPT_STATES.map((state) => [state, 0])) as Record<AttemptState, number>;
    for (const row of rows) counts[row.state] = Number(row.count);
    return counts;
  }

  /** Queued attempts per project id. */
  async queuedByProject(): Promise<Map<string, number>> {
    const rows: Array<{ project_id: string; queued: number }> = await this.db('attempts')
      .join('tasks', 'tasks.id', 'attempts.task_id')
      .where('attempts.state', 'queued')
      .groupBy('tasks.project_id')
      .select('tasks.project_id', this.db.raw('count(*) as queued'));
    return new Map(rows.map((row) => [row.project_id, Number(row.queued)]));
  }

  /** Pushes the lease of attempts this node is running further into the future. */
  async renewLeases(ids: readonly string[], nodeId: string, leaseUntil: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db('attempts').whereIn('id', ids as string[]).where('node_id', nodeId).update({ lease_until: leaseUntil });
  }


  /** Whether an attempt of the project has this branch (the name holds the attempt's id, so at most one). */
  async branchIsOwned(projectId: string, branch: string): Promise<boolean> {
    const row = await this.db('attempts')
      .join('tasks', 'tasks.id', 'attempts.task_id')
      .where('tasks.project_id', projectId)
      .where('attempts.branch', branch)
      .first('attempts.id');
    return row !== undefined;
  }

  /** Finished attempts of the project that finished before `finishedBefore` and still have a worktree. */
  async listIdleWorktrees(projectId: string, finishedBefore: string): Promise<Attempt[]> {
    const rows: AttemptRow[] = await this.db('attempts')
      .join('tasks', 'tasks.id', 'attempts.task_id')
      .where('tasks.project_id', projectId)
      .whereIn('attempts.state', FINISHED_ATTEMPT_STATES as AttemptState[])
      .whereNotNull('attempts.worktree_path')
      .where('attempts.finished_at', '<=', finishedBefore)
      .select('attempts.*')
      .orderBy('attempts.id');
    return rows.map(toAttempt);
  }

  /**
   * The id and branch of each finished attempt of the project's done or cancelled tasks last
   * changed before `closedBefore`. Only those two columns: the list grows with the history.
   */
  async listOfClosedTasks(projectId: string, closedBefore: string): Promise<Array<Pick<Attempt, 'id' | 'branch'>>> {
    return this.db('attempts')
      .join('tasks', 'tasks.id', 'attempts.task_id')
      .where('tasks.project_id', projectId)
      .whereIn('tasks.status', ['done', 'cancelled'])
      .where('tasks.updated_at', '<=', closedBefore)
      .whereIn('attempts.state', FINISHED_ATTEMPT_STATES as AttemptState[])
      .select('attempts.id', 'attempts.branch')
      .orderBy('attempts.id');
  }
}
