/**
 * What Forge writes to Claude's stdin with `--input-format stream-json`: the prompt as a user
 * message, the answers to Claude's control requests, and an interrupt. One JSON object a line.
 */
import { randomUUID } from 'node:crypto';
import type { ApprovalDecision, JsonRecord } from '@forge-core/sdk';

/** Why a tool call was denied, in words Claude passes on to the model when the decider gave none. */
const DENIAL_BY: Readonly<Record<ApprovalDecision['by'], string>> = {
  user: 'The user denied this tool call in Forge.',
  rule: 'This tool is denied for the rest of this attempt in Forge.',
  timeout: 'Nobody answered the approval request in Forge in time, so the tool call was denied.',
  cancelled: 'The run was stopped in Forge.',
};

export function userMessageLine(prompt: string): string {
  return JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: prompt }] } });
}

function controlResponse(response: JsonRecord): string {
  return JSON.stringify({ type: 'control_response', response });
}

/**
 * The answer to `can_use_tool`. An approval hands the input back unchanged (Claude requires
 * `updatedInput`). An "always" adds nothing for Claude to remember: the host answers the same
 * tool's later requests from its own rule, so each call stays on the attempt's record and
 * nothing is written to Claude's settings files, as its permission suggestions would.
 */
export function permissionResponseLine(requestId: string, input: JsonRecord, decision: ApprovalDecision): string {
  const answer = decision.outcome === 'approved' ? { behavior: 'allow', updatedInput: input } : { behavior: 'deny', message: decision.reason ?? DENIAL_BY[decision.by] };
  return controlResponse({ subtype: 'success', request_id: requestId, response: answer });
}

/** Refuses a control request Forge does not handle, so the CLI never waits for an answer. */
export function controlErrorLine(requestId: string, error: string): string {
  return controlResponse({ subtype: 'error', request_id: requestId, error });
}

/** Asks Claude to stop its turn, as its SDK does when a user stops a run. */
export function interruptRequestLine(): string {
  return JSON.stringify({ type: 'control_request', request_id: `forge-interrupt-${randomUUID()}`, request: { subtype: 'interrupt' } });
}
