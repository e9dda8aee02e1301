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
 *   running   → succeeded, failed, cancelled (the agent's outcome, or a stop)
 *   succeeded, failed, cancelled → queued (a follow-up)
 *
 * What a move means for the task: queuing a finished attempt (a follow-up), like creating one,
 * puts the task in progress; an attempt that ends leaves the task in review once none of its
 * attempts is live (task-lifecycle.ts). Both are written in the attempt's own transaction.
 */
export const ATTEMPT_TRANSITIONS: Transitions<AttemptState> = {
  queued: ['preparing', 'cancelled'],
  preparing: ['running', 'queued', 'failed', 'cancelled'],
  running: ['succeeded', 'failed', 'cancelled'],
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
      const from = allowedFrom(ATTEMPT_TRANSITIONS, to, options.onlyFrom);
      const query = this.db('attempts').where({ id }).whereIn('state', from);
      if (options.fencingToken !== undefined) query.where('fencing_token', options.fencingToken);
      const before = this.read(tx, id);
      if (tx.run(query.update(toRowPatch({ ...options.changes, state: to }))).changes === 0) {
        throw this.refusal(id, before, options.fencingToken, () => transitionRefused('attempt', id, ATTEMPT_TRANSITIONS, before!.state, to));
      }
      const attempt = this.read(tx, id)!;
      emit('attempt.updated', id, attempt);
      this.applyToTask(tx, emit, before!.state, attempt, options.reopen ?? false);
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
      const query = this.db('attempts').where({ id }).whereIn('state', options.inStates as AttemptState[]);
      if (options.fencingToken !== undefined) query.where('fencing_token', options.fencingToken);
      if (options.worktreePath !== undefined) query.where('worktree_path', options.worktreePath);
      const { state: _ignored, ...fields } = changes as AttemptChanges;
      if (tx.run(query.update(toRowPatch(fields))).changes === 0) {
        const current = this.read(tx, id);
        if (current && options.fencingToken !== undefined && current.fencingToken !== options.fencingToken) {
          throw staleClaim(id, current, options.fencingToken);
        }
        return undefined;
      }
      const attempt = this.read(tx, id)!;
      emit('attempt.updated', id, attempt);
      return attempt;
    });
  }

  private read(tx: Tx, id: string): Attempt | undefined {
    const row = tx.first<AttemptRow>(this.db('attempts').where({ id }));
    return row && toAttempt(row);
  }

  private refusal(id: string, current: Attempt | undefined, fencingToken: number | undefined, invalid: () => ForgeError): ForgeError {
    if (!current) return new ForgeError('FORGE_NOT_FOUND', `No attempt with id ${id}.`, { attemptId: id });
    if (fencingToken !== undefined && current.fencingToken !== fencingToken) return staleClaim(id, current, fencingToken);
    return invalid();
  }

  private applyToTask(tx: Tx, emit: Emit, from: AttemptState, attempt: Attempt, reopen: boolean): void {
    const wasFinished = FINISHED_ATTEMPT_STATES.includes(from);
    const isFinished = FINISHED_ATTEMPT_STATES.includes(attempt.state);
    if (wasFinished && attempt.state === 'queued') this.tasks.workStarted(tx, emit, attempt.taskId, reopen);
    else if (!wasFinished && isFinished) this.tasks.workEnded(tx, emit, attempt.taskId);
  }
}

function staleClaim(id: string, current: Attempt, fencingToken: number): ForgeError {
  return new ForgeError(
    'FORGE_STALE_CLAIM',
    `Attempt ${id} was claimed again since this writer took it (fencing token ${current.fencingToken}, the writer holds ${fencingToken}); the write is refused.`,
    { attemptId: id, fencingToken: current.fencingToken, heldToken: fencingToken, nodeId: current.nodeId },
  );
}
