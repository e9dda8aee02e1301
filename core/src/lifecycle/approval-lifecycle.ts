import type { ApprovalDecider, ApprovalScope } from '@forge-core/sdk';
import { ForgeError } from '@forge-core/sdk';
import type { EventLog } from '../events/event-log.ts';
import { toApproval, type ApprovalAsk, type ApprovalRecord, type ApprovalRow, type ApprovalState } from '../store/approval-store.ts';
import { now } from '../store/clock.ts';
import type { Database } from '../store/database.ts';
import { newId } from '../store/ids.ts';
import { allowedFrom, transitionRefused, type Transitions } from './transitions.ts';

/**
 * An approval is asked once and decided once: approved or denied (by a person, a standing
 * "always" or the timeout's denial, which is `expired`), or cancelled when its run ended first.
 */
export const APPROVAL_TRANSITIONS: Transitions<ApprovalState> = {
  pending: ['approved', 'denied', 'expired', 'cancelled'],
  approved: [],
  denied: [],
  expired: [],
  cancelled: [],
};

export interface ApprovalCreate {
  attemptId: string;
  processId: string;
  ask: ApprovalAsk;
  expiresAt: string;
}

export interface ApprovalDecisionChange {
  scope: ApprovalScope;
  decidedBy: ApprovalDecider;
  reason: string | null;
}

/** What the 409 for an approval that is no longer pending tells a person. */
function alreadyDecided(approval: ApprovalRecord): string {
  if (approval.state === 'expired') return `Nobody answered it before ${approval.expiresAt}, so the agent was told no.`;
  if (approval.state === 'cancelled') return 'Its run ended before it was answered.';
  return `It was ${approval.state} already${approval.decidedBy === 'rule' ? ' by an earlier "always" answer for this tool' : ''}${approval.decidedAt ? ` at ${approval.decidedAt}` : ''}.`;
}

/** The only writer of approval rows' state, each change logged. */
export class ApprovalLifecycle {
  constructor(
    private readonly db: Database,
    private readonly events: EventLog,
  ) {}

  /** Records a request as pending, or, when `decided` is given, already decided (a standing rule). */
  create(input: ApprovalCreate, decided?: { state: 'approved' | 'denied' } & ApprovalDecisionChange): Promise<ApprovalRecord> {
    const timestamp = now();
    const { tool, ...rest } = input.ask;
    const row: ApprovalRow = {
      id: newId(),
      attempt_id: input.attemptId,
      process_id: input.processId,
      state: decided?.state ?? 'pending',
      tool,
      request: JSON.stringify(rest),
      scope: decided?.scope ?? null,
      decided_by: decided?.decidedBy ?? null,
      reason: decided?.reason ?? null,
      created_at: timestamp,
      expires_at: input.expiresAt,
      decided_at: decided ? timestamp : null,
    };
    return this.events.transact((tx, emit) => {
      tx.run(this.db('approvals').insert(row));
      const approval = toApproval(row);
      emit('approval.requested', approval.id, approval);
      if (decided) emit('approval.decided', approval.id, approval);
      return approval;
    });
  }

  /** Decides a pending approval; one decided already is refused with a 409 that says how it ended. */
  decide(id: string, to: Exclude<ApprovalState, 'pending'>, change: ApprovalDecisionChange): Promise<ApprovalRecord> {
    return this.events.transact((tx, emit) => {
      const read = () => {
        const row = tx.first<ApprovalRow>(this.db('approvals').where({ id }));
        return row && toApproval(row);
      };
      const before = read();
      if (!before) throw new ForgeError('FORGE_NOT_FOUND', `No approval with id ${id}.`, { approvalId: id });
      if (!allowedFrom(APPROVAL_TRANSITIONS, to).includes(before.state)) {
        throw transitionRefused('approval', id, APPROVAL_TRANSITIONS, before.state, to, alreadyDecided(before));
      }
      tx.run(
        this.db('approvals')
          .where({ id, state: 'pending' })
          .update({ state: to, scope: change.scope, decided_by: change.decidedBy, reason: change.reason, decided_at: now() }),
      );
      const approval = read()!;
      emit('approval.decided', id, approval);
      return approval;
    });
  }
}
