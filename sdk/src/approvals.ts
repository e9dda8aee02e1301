/**
 * Approvals: an agent asks before it runs a tool, the host asks a person (or its rules), the
 * pack answers the agent in the agent's own protocol. The agent's own choices (Claude's
 * permission suggestions, Codex's accept-for-session, ACP's allow/reject once/always) travel
 * with the request, so the answer can pick the matching one.
 */

export type ApprovalChoiceKind = 'allow_once' | 'allow_always' | 'reject_once' | 'reject_always';

export const APPROVAL_CHOICE_KINDS: readonly ApprovalChoiceKind[] = Object.freeze(
  Object.keys({ allow_once: 1, allow_always: 1, reject_once: 1, reject_always: 1 } satisfies Record<ApprovalChoiceKind, 1>) as ApprovalChoiceKind[],
);

/** One of the answers the agent itself offers. */
export interface ApprovalChoice {
  /** The agent's id for the choice, handed back in the decision. */
  id: string;
  label: string;
  kind: ApprovalChoiceKind;
}

export interface ApprovalRequest {
  /** The tool the agent wants to use, as the agent names it (`Bash`, `Edit`, `commandExecution`). */
  tool: string;
  /** What it would call the tool with; shown to the person deciding. */
  input?: unknown;
  /** The `callId` of the matching `tool_call` event, when the agent gave one. */
  callId?: string;
  /** One line for a person: the command, the file. */
  summary?: string;
  /** The answers the agent offers, when its protocol has a list. */
  choices?: readonly ApprovalChoice[];
}

export type ApprovalOutcome = 'approved' | 'denied';
export type ApprovalScope = 'once' | 'always';
/** user: through the API; rule: an earlier "always" in this attempt; timeout: nobody answered in time; cancelled: the run ended first. */
export type ApprovalDecider = 'user' | 'rule' | 'timeout' | 'cancelled';

export interface ApprovalDecision {
  outcome: ApprovalOutcome;
  /** `always`: the same tool is approved (or denied) for the rest of this attempt without asking. */
  scope: ApprovalScope;
  /** The request's choice that matches the decision, when it offered choices. */
  choiceId?: string;
  /** Why, in the decider's words; a pack passes it to the agent on a denial. */
  reason?: string;
  by: ApprovalDecider;
}

/** The request's choice that matches a decision: the exact kind first, then the same outcome once. */
export function matchingChoice(choices: readonly ApprovalChoice[] | undefined, outcome: ApprovalOutcome, scope: ApprovalScope): ApprovalChoice | undefined {
  if (!choices?.length) return undefined;
  const verb = outcome === 'approved' ? 'allow' : 'reject';
  return choices.find((choice) => choice.kind === `${verb}_${scope}`) ?? choices.find((choice) => choice.kind.startsWith(`${verb}_`));
}
