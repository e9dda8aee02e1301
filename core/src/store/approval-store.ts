import type { ApprovalChoice, ApprovalDecider, ApprovalScope } from '@forge-core/sdk';
import type { Database } from './database.ts';
import { fetchPage, type Page, type PageRequest } from './page.ts';

export const APPROVAL_STATES = ['pending', 'approved', 'denied', 'expired', 'cancelled'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

/** What the agent asked, as the pack described it. */
export interface ApprovalAsk {
  tool: string;
  input?: unknown;
  callId?: string;
  summary?: string;
  choices?: ApprovalChoice[];
}

export interface ApprovalRecord extends ApprovalAsk {
  id: string;
  attemptId: string;
  processId: string;
  state: ApprovalState;
  scope: ApprovalScope | null;
  decidedBy: ApprovalDecider | null;
  reason: string | null;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
}

export interface ApprovalRow {
  id: string;
  attempt_id: string;
  process_id: string;
  state: ApprovalState;
  tool: string;
  request: string;
  scope: ApprovalScope | null;
  decided_by: ApprovalDecider | null;
  reason: string | null;
  created_at: string;
  expires_at: string;
  decided_at: string | null;
}

export function toApproval(row: ApprovalRow): ApprovalRecord {
  const ask = JSON.parse(row.request) as ApprovalAsk;
  return {
    id: row.id,
    attemptId: row.attempt_id,
    processId: row.process_id,
    state: row.state,
    ...ask,
    tool: row.tool,
    scope: row.scope,
    decidedBy: row.decided_by,
    reason: row.reason,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedAt: row.decided_at,
  };
}

export interface ApprovalFilter {
  state?: ApprovalState | undefined;
  attemptId?: string | undefined;
}

/** Reads of approvals; their state goes through lifecycle/approval-lifecycle.ts. */
export class ApprovalStore {
  constructor(private readonly db: Database) {}

  async get(id: string): Promise<ApprovalRecord | undefined> {
    const row = await this.db<ApprovalRow>('approvals').where({ id }).first();
    return row && toApproval(row);
  }

  list(filter: ApprovalFilter, page: PageRequest): Promise<Page<ApprovalRecord>> {
    const query = this.db('approvals').select('*');
    if (filter.state) query.where('state', filter.state);
    if (filter.attemptId) query.where('attempt_id', filter.attemptId);
    return fetchPage(query, page, toApproval);
  }

  /** The latest "always" decision a person made for this tool in this attempt, if any. */
  async standingDecision(attemptId: string, tool: string): Promise<ApprovalRecord | undefined> {
    const row = await this.db<ApprovalRow>('approvals')
      .where({ attempt_id: attemptId, tool, scope: 'always', decided_by: 'user' })
      .whereIn('state', ['approved', 'denied'])
      .orderBy('decided_at', 'desc')
      .first();
    return row && toApproval(row);
  }

  /** Ids of the approvals still pending for these attempts (all attempts when none are given). */
  async pendingIds(attemptIds?: readonly string[]): Promise<string[]> {
    const query = this.db('approvals').where('state', 'pending');
    if (attemptIds) query.whereIn('attempt_id', attemptIds);
    return (await query.select('id')).map((row: { id: string }) => row.id);
  }
}
