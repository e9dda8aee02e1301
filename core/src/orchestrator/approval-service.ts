import {
  APPROVAL_CHOICE_KINDS,
  ForgeError,
  describeValue,
  matchingChoice,
  type ApprovalDecision,
  type ApprovalRequest,
  type ApprovalScope,
} from '@forge-core/sdk';
import type { Logger } from 'pino';
import type { Lifecycles } from '../lifecycle/lifecycles.ts';
import type { ApprovalAsk, ApprovalFilter, ApprovalRecord } from '../store/approval-store.ts';
import type { Page, PageRequest } from '../store/page.ts';
import type { Stores } from '../store/stores.ts';

/** The run that asks: whose approval it is, and the signal that ends its wait. */
export interface AskingRun {
  attemptId: string;
  processId: string;
  signal: AbortSignal;
  /** Shows the request and, later, its decision in the attempt's log. */
  log(kind: 'approval_request' | 'approval_result', payload: Record<string, unknown>): void;
  /** Masks the run's secrets in what is stored and shown of a request (the pack still gets its own). */
  mask<T>(value: T): T;
}

export interface ApprovalAnswer {
  decision: 'approve' | 'deny';
  scope?: ApprovalScope | undefined;
  reason?: string | undefined;
  /** When given, the approval must be one of this attempt's. */
  attemptId?: string | undefined;
}

interface Waiter {
  approval: ApprovalRecord;
  settle(approval: ApprovalRecord): void;
}

const MAX_CHOICES = 20;
const MAX_INPUT_BYTES = 1_000_000;

/** A pack's request checked against the contract; the problems name what is wrong. */
function askOf(request: unknown): ApprovalAsk {
  const problems: string[] = [];
  const r = (typeof request === 'object' && request !== null ? request : {}) as Partial<Record<keyof ApprovalRequest, unknown>>;
  if (typeof request !== 'object' || request === null) problems.push(`the request must be an object, received ${describeValue(request)}`);
  if (typeof r.tool !== 'string' || r.tool.trim() === '' || r.tool.length > 255) problems.push(`tool must be a non-empty string of at most 255 characters, received ${describeValue(r.tool)}`);
  if (r.callId !== undefined && (typeof r.callId !== 'string' || r.callId.length > 255)) problems.push(`callId must be a string of at most 255 characters`);
  if (r.summary !== undefined && (typeof r.summary !== 'string' || r.summary.length > 10_000)) problems.push('summary must be a string of at most 10,000 characters');
  let inputJson: string | undefined;
  try {
    inputJson = r.input === undefined ? undefined : JSON.stringify(r.input);
  } catch {
    problems.push('input must be JSON: plain objects, lists, strings, numbers, booleans and null');
  }
  if (inputJson !== undefined && Buffer.byteLength(inputJson) > MAX_INPUT_BYTES) problems.push(`input must be at most ${MAX_INPUT_BYTES} bytes as JSON`);
  const choices = r.choices;
  if (choices !== undefined) {
    const valid =
      Array.isArray(choices) &&
      choices.length <= MAX_CHOICES &&
      choices.every(
        (c) =>
          typeof c === 'object' && c !== null && typeof c.id === 'string' && c.id !== '' && typeof c.label === 'string' && APPROVAL_CHOICE_KINDS.includes(c.kind),
      );
    if (!valid) problems.push(`choices must be a list of at most ${MAX_CHOICES} {id, label, kind: ${APPROVAL_CHOICE_KINDS.join('|')}}`);
  }
  if (problems.length > 0) throw new TypeError(`requestApproval: ${problems.join('; ')}`);
  return {
    tool: r.tool as string,
    ...(inputJson === undefined ? {} : { input: JSON.parse(inputJson) }),
    ...(r.callId === undefined ? {} : { callId: r.callId as string }),
    ...(r.summary === undefined ? {} : { summary: r.summary as string }),
    ...(choices === undefined ? {} : { choices: (choices as ApprovalAsk['choices'])!.map(({ id, label, kind }) => ({ id, label, kind })) }),
  };
}

/** The answer a pack gets for a decided approval. */
function decisionOf(approval: ApprovalRecord): ApprovalDecision {
  const outcome = approval.state === 'approved' ? 'approved' : 'denied';
  const scope = approval.scope ?? 'once';
  const choice = matchingChoice(approval.choices, outcome, scope);
  return {
    outcome,
    scope,
    by: approval.decidedBy ?? 'cancelled',
    ...(choice === undefined ? {} : { choiceId: choice.id }),
    ...(approval.reason === null ? {} : { reason: approval.reason }),
  };
}

/**
 * Approvals between a running agent and the people (or rules) deciding (spec/decisions/0024).
 * A request is stored pending, shown in the attempt's log and the event log, and waited on here;
 * it is decided by the API, by an earlier "always" answer for the same tool in the attempt, by
 * the timeout (expired: the agent is told no), or cancelled when its run ends. Whichever comes
 * first wins; the lifecycle's guarded update makes the others a 409.
 */
export class ApprovalService {
  private readonly waiting = new Map<string, Waiter>();

  constructor(
    private readonly stores: Stores,
    private readonly lifecycles: Lifecycles,
    private readonly options: { timeoutMs: number; nodeId: string },
    private readonly logger: Logger,
  ) {}

  get pendingCount(): number {
    return this.waiting.size;
  }

  list(filter: ApprovalFilter, page: PageRequest): Promise<Page<ApprovalRecord>> {
    return this.stores.approvals.list(filter, page);
  }

  async get(id: string): Promise<ApprovalRecord> {
    const approval = await this.stores.approvals.get(id);
    if (!approval) throw new ForgeError('FORGE_NOT_FOUND', `No approval with id ${id}.`, { approvalId: id });
    return approval;
  }

  /** What a pack's `ctx.requestApproval` does. */
  async request(run: AskingRun, request: ApprovalRequest): Promise<ApprovalDecision> {
    const ask = run.mask(askOf(request));
    if (run.signal.aborted) return { outcome: 'denied', scope: 'once', by: 'cancelled', reason: 'The run was stopped.' };
    const expiresAt = new Date(Date.now() + this.options.timeoutMs).toISOString();
    const input = { attemptId: run.attemptId, processId: run.processId, ask, expiresAt };
    const standing = await this.stores.approvals.standingDecision(run.attemptId, ask.tool);
    if (standing) {
      const approval = await this.lifecycles.approvals.create(input, {
        state: standing.state === 'approved' ? 'approved' : 'denied',
        scope: 'always',
        decidedBy: 'rule',
        reason: `As answered for ${ask.tool} in approval ${standing.id}${standing.reason ? `: ${standing.reason}` : ''}.`,
      });
      this.logRequest(run, approval);
      this.logDecision(run, approval);
      return decisionOf(approval);
    }
    const approval = await this.lifecycles.approvals.create(input);
    this.logRequest(run, approval);
    const decided = await new Promise<ApprovalRecord>((resolve) => {
      const timer = setTimeout(() => {
        void this.settleBy(approval.id, 'expired', { scope: 'once', decidedBy: 'timeout', reason: `Nobody answered within ${Math.round(this.options.timeoutMs / 1000)} s.` });
      }, this.options.timeoutMs);
      const onAbort = () => void this.settleBy(approval.id, 'cancelled', { scope: 'once', decidedBy: 'cancelled', reason: 'The run ended before an answer came.' });
      run.signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(approval.id, {
        approval,
        settle: (record) => {
          clearTimeout(timer);
          run.signal.removeEventListener('abort', onAbort);
          this.waiting.delete(approval.id);
          resolve(record);
        },
      });
      if (run.signal.aborted) onAbort();
    });
    this.logDecision(run, decided);
    return decisionOf(decided);
  }

  /** A person's answer through the API; one already decided (or expired) is a 409 that says how. */
  async answer(id: string, answer: ApprovalAnswer): Promise<ApprovalRecord> {
    const approval = await this.get(id);
    if (answer.attemptId !== undefined && approval.attemptId !== answer.attemptId) {
      throw new ForgeError('FORGE_NOT_FOUND', `Approval ${id} is not an approval of attempt ${answer.attemptId}; it belongs to attempt ${approval.attemptId}.`, {
        approvalId: id,
        attemptId: answer.attemptId,
      });
    }
    const decided = await this.lifecycles.approvals.decide(id, answer.decision === 'approve' ? 'approved' : 'denied', {
      scope: answer.scope ?? 'once',
      decidedBy: 'user',
      reason: answer.reason ?? null,
    });
    this.waiting.get(id)?.settle(decided);
    return decided;
  }

  /**
   * Cancels pending approvals nobody can be waiting for: those of attempts no longer live, and
   * those of this node's attempts that no run here waits on (the server that asked stopped).
   */
  async cancelOrphans(): Promise<number> {
    let cancelled = 0;
    for (const id of await this.stores.approvals.pendingIds()) {
      if (this.waiting.has(id)) continue;
      const approval = await this.stores.approvals.get(id);
      const attempt = approval && (await this.stores.attempts.get(approval.attemptId));
      const live = attempt && (attempt.state === 'preparing' || attempt.state === 'running');
      if (live && attempt.nodeId !== this.options.nodeId) continue;
      const settled = await this.lifecycles.approvals
        .decide(id, 'cancelled', { scope: 'once', decidedBy: 'cancelled', reason: 'The run that asked is no longer running.' })
        .catch((error: unknown) => {
          if (error instanceof ForgeError && error.code === 'FORGE_INVALID_TRANSITION') return undefined; // decided meanwhile
          throw error;
        });
      if (settled) cancelled++;
    }
    return cancelled;
  }

  /** Decides a waiting approval (timeout, end of run); a decision that came first wins. */
  private async settleBy(id: string, state: 'expired' | 'cancelled', change: { scope: 'once'; decidedBy: 'timeout' | 'cancelled'; reason: string }) {
    try {
      const decided = await this.lifecycles.approvals.decide(id, state, change);
      this.waiting.get(id)?.settle(decided);
    } catch (error) {
      if (error instanceof ForgeError && error.code === 'FORGE_INVALID_TRANSITION') return; // answered first; its settle ran
      // The agent must not wait forever on a row that could not be written: it is told no.
      this.logger.error({ err: error, approvalId: id }, 'could not record the end of an approval');
      const waiter = this.waiting.get(id);
      waiter?.settle({ ...waiter.approval, state, scope: change.scope, decidedBy: change.decidedBy, reason: change.reason });
    }
  }

  private logRequest(run: AskingRun, approval: ApprovalRecord): void {
    const { tool, input, callId, summary, choices } = approval;
    run.log('approval_request', {
      requestId: approval.id,
      tool,
      ...(input === undefined ? {} : { input }),
      ...(callId === undefined ? {} : { callId }),
      ...(summary === undefined ? {} : { summary }),
      ...(choices === undefined ? {} : { choices }),
      expiresAt: approval.expiresAt,
    });
  }

  private logDecision(run: AskingRun, approval: ApprovalRecord): void {
    run.log('approval_result', { requestId: approval.id, state: approval.state, scope: approval.scope, by: approval.decidedBy, reason: approval.reason });
  }
}
