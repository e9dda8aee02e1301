import { ForgeError } from '@forge-core/sdk';
import type { Emit, EventLog } from '../events/event-log.ts';
import {
  FINISHED_ATTEMPT_STATES,
  toAttempt,
  toRowPatch,
  type Attempt,
  type AttemptChanges,
  type AttemptRow,
  type AttemptState,
  type NewAttempt,
} from '../store/attempt-store.ts';
import { now } from '../store/clock.ts';
import type { Database } from '../store/database.ts';
import type { Tx } from '../store/transaction.ts';
import type { TaskLifecycle } from './task-lifecycle.ts';
import { allowedFrom, transitionRefused, type Transitions } from './transitions.ts';

/**
 * The attempt lifecycle (spec/decisions/0022).
 *
 *   queued    → preparing (claimed by a node), cancelled (stopped before it ran)
 *   preparing → running (the agent starts), queued (a node died before the agent started: run it
 *               again), failed (worktree or setup script failed), cancelled (stopped)
 *   running   → succeeded, failed, cancelled (the agent's outcome, or a stop), queued (the agent
 *               was rate-limited or out of quota: tried again after a wait, decision 0031)
 *   succeeded, failed, cancelled → queued (a follow-up)
 *
 * What a move means for the task: queuing a finished attempt (a follow-up), like creating one,
 * puts the task in progress; an attempt that ends leaves the task in review once none of its
 * attempts is live (task-lifecycle.ts). Both are written in the attempt's own transaction.
 */
export const ATTEMPT_TRANSITIONS: Transitions<AttemptState> = {
  queued: ['preparing', 'cancelled'],
  preparing: ['running', 'queued', 'failed', 'cancelled'],
  running: ['succeeded', 'failed', 'cancelled', 'queued'],
  succeeded: ['queued'],
  failed: ['queued'],
  cancelled: ['queued'],
};

export interface MoveOptions {
  changes?: AttemptChanges;
  /** Narrows the table's allowed sources for this caller (a stop that only cancels a queued attempt). */
  onlyFrom?: readonly AttemptState[];
  /** Set by the holder of the attempt's claim: the write is refused once another claim took over. */
  fencingToken?: number;
  /** A follow-up on an attempt of a done or cancelled task reopens the task only when asked. */
  reopen?: boolean;
}

export interface RecordOptions {
  /** The states the attempt must be in for the change to apply. */
  inStates: readonly AttemptState[];
  fencingToken?: number;
  /** Only while the attempt still records this worktree. */
  worktreePath?: string;
}

/** The only writer of attempts' state: every move is checked against the table, fenced and logged. */
export class AttemptLifecycle {
  constructor(
    private readonly db: Database,
    private readonly events: EventLog,
    private readonly tasks: TaskLifecycle,
  ) {}

  /** Records a new attempt as queued and puts its task in progress, in one transaction. */
  create(input: NewAttempt & { id: string }, options: { reopen?: boolean } = {}): Promise<Attempt> {
    const timestamp = now();
    const row: AttemptRow & { sealed_options: string | null; options_redacted: boolean } = {
      id: input.id,
      task_id: input.taskId,
      executor_id: input.executor.id,
      executor_package: input.executor.package,
      executor_version: input.executor.version,
      contract_version: input.executor.contractVersion,
      options: JSON.stringify(input.options),
      sealed_options: input.sealedOptions ?? null,
      options_redacted: true,
      prompt: input.prompt,
      follow_up_prompt: null,
      branch: input.branch,
      base_branch: input.baseBranch,
      worktree_path: null,
      state: 'queued',
      agent_session_id: null,
      node_id: null,
      lease_until: null,
      fencing_token: 0,
      error_code: null,
      error_message: null,
      error_retry_at: null,
      retry_count: 0,
      merge_commit: null,
      created_at: timestamp,
      updated_at: timestamp,
      started_at: null,
      worktree_ready_at: null,
      agent_started_at: null,
      finished_at: null,
    };
    return this.events.transact((tx, emit) => {
      this.tasks.workStarted(tx, emit, input.taskId, options.reopen ?? false);
      tx.run(this.db('attempts').insert(row));
      const attempt = toAttempt(row);
      emit('attempt.created', attempt.id, attempt);
      return attempt;
    });
  }

  /**
   * Takes a queued attempt for this node (queued → preparing). The state check in the WHERE
   * clause makes the claim atomic; the new fencing token is what every later write of this run
   * must show. Undefined when it was no longer queued.
   */
  claim(id: string, nodeId: string, leaseUntil: string): Promise<Attempt | undefined> {
    return this.events.transact((tx, emit) => {
      const timestamp = now();
      const { changes } = tx.run(
        this.db('attempts')
          .where({ id })
          .whereIn('state', allowedFrom(ATTEMPT_TRANSITIONS, 'preparing'))
          .update({
            state: 'preparing',
            node_id: nodeId,
            lease_until: leaseUntil,
            fencing_token: this.db.raw('fencing_token + 1'),
            started_at: timestamp,
            worktree_ready_at: null,
            agent_started_at: null,
            finished_at: null,
            error_code: null,
            error_message: null,
            error_retry_at: null,
            updated_at: timestamp,
          }),
      );
      if (changes === 0) return undefined;
      const attempt = this.read(tx, id)!;
      emit('attempt.updated', id, attempt);
      return attempt;
    });
  }

  /** Moves the attempt to `to`; a move the table does not allow is refused with a 409. */
  async move(id: string, to: AttemptState, options: MoveOptions = {}): Promise<Attempt> {
    return this.events.transact((tx, emit) => {
      const before = this.read(tx, id);
      if (!before) throw new ForgeError('FORGE_NOT_FOUND', `No attempt with id ${id}.`, { attemptId: id });
      requireClaim(before, options.fencingToken);
      const from = allowedFrom(ATTEMPT_TRANSITIONS, to, options.onlyFrom);
      if (!from.includes(before.state)) throw transitionRefused('attempt', id, ATTEMPT_TRANSITIONS, before.state, to);
      tx.run(this.guarded(id, from, options.fencingToken).update(toRowPatch({ ...options.changes, state: to })));
      const attempt = this.read(tx, id)!;
      emit('attempt.updated', id, attempt);
      this.applyToTask(tx, emit, before.state, attempt, options.reopen ?? false);
      return attempt;
    });
  }

  /** As move, but a refused transition (or a vanished attempt) answers undefined: for callers racing others. */
  async moveIfAllowed(id: string, to: AttemptState, options: MoveOptions = {}): Promise<Attempt | undefined> {
    try {
      return await this.move(id, to, options);
    } catch (error) {
      if (error instanceof ForgeError && (error.code === 'FORGE_INVALID_TRANSITION' || error.code === 'FORGE_NOT_FOUND')) return undefined;
      throw error;
    }
  }

  /**
   * Changes fields other than the state (worktree, session, merge commit, phase times) while
   * the attempt is in one of `inStates`; undefined when it is not (or no longer records the
   * given worktree). A stale fencing token is refused.
   */
  record(id: string, changes: Omit<AttemptChanges, 'state'>, options: RecordOptions): Promise<Attempt | undefined> {
    return this.events.transact((tx, emit) => {
      const current = this.read(tx, id);
      if (!current) return undefined;
      requireClaim(current, options.fencingToken);
      if (!options.inStates.includes(current.state)) return undefined;
      if (options.worktreePath !== undefined && current.worktreePath !== options.worktreePath) return undefined;
      const query = this.guarded(id, options.inStates, options.fencingToken);
      if (options.worktreePath !== undefined) query.where('worktree_path', options.worktreePath);
      tx.run(query.update(toRowPatch(changes)));
      const attempt = this.read(tx, id)!;
      emit('attempt.updated', id, attempt);
      return attempt;
    });
  }

  /**
   * Forgets the attempt's worktree (removed from disk), only while the attempt is finished and
   * still records it (`path`, when given): a follow-up queued meanwhile keeps it, or makes a new one.
   */
  releaseWorktree(id: string, path?: string): Promise<Attempt | undefined> {
    return this.record(id, { worktreePath: null }, { inStates: FINISHED_ATTEMPT_STATES, ...(path !== undefined && { worktreePath: path }) });
  }

  private read(tx: Tx, id: string): Attempt | undefined {
    const row = tx.first<AttemptRow>(this.db('attempts').where({ id }));
    return row && toAttempt(row);
  }

  /**
   * The UPDATE of one attempt, only in one of `states` and, for the claim holder, only under its
   * fencing token. The checks before it have made it apply; in SQL too, it can write nothing else.
   */
  private guarded(id: string, states: readonly AttemptState[], fencingToken: number | undefined) {
    const query = this.db('attempts').where({ id }).whereIn('state', states as AttemptState[]);
    if (fencingToken !== undefined) query.where('fencing_token', fencingToken);
    return query;
  }

  private applyToTask(tx: Tx, emit: Emit, from: AttemptState, attempt: Attempt, reopen: boolean): void {
    const wasFinished = FINISHED_ATTEMPT_STATES.includes(from);
    const isFinished = FINISHED_ATTEMPT_STATES.includes(attempt.state);
    if (wasFinished && attempt.state === 'queued') this.tasks.workStarted(tx, emit, attempt.taskId, reopen);
    else if (!wasFinished && isFinished) this.tasks.workEnded(tx, emit, attempt.taskId);
  }
}

/** Refuses a write made under a fencing token another claim has replaced (FORGE_STALE_CLAIM, 409). */
function requireClaim(current: Attempt, fencingToken: number | undefined): void {
  if (fencingToken === undefined || current.fencingToken === fencingToken) return;
  throw new ForgeError(
    'FORGE_STALE_CLAIM',
    `Attempt ${current.id} was claimed again since this writer took it (fencing token ${current.fencingToken}, the writer holds ${fencingToken}); the write is refused.`,
    { attemptId: current.id, fencingToken: current.fencingToken, heldToken: fencingToken, nodeId: current.nodeId },
  );
}
