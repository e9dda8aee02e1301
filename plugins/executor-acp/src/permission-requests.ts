import type { RequestPermissionRequest, RequestPermissionResponse, ToolKind } from '@agentclientprotocol/sdk/unstable';
import { relativeToWorktree, shortLine, type ApprovalChoice, type ApprovalDecision, type ApprovalRequest } from '@forge-core/sdk';

/**
 * An ACP `session/request_permission` as an approval of the attempt. The tool is named by the
 * agent's tool name, else its kind (`edit`, `execute`), so an "always" answer covers the calls
 * of that kind and not only one title ("Write hello.txt"). The agent's own options (allow or
 * reject, once or always) travel as the choices.
 */
export function approvalRequestOf(request: RequestPermissionRequest, knownKind: ToolKind | undefined, roots: readonly string[]): ApprovalRequest {
  const call = request.toolCall;
  const kind = call.kind ?? knownKind;
  const where = (call.locations ?? []).map((location) => relativeToWorktree(location.path, roots)).join(', ');
  const title = call.title || kind || 'a tool';
  const choices: ApprovalChoice[] = request.options.map((option) => ({ id: option.optionId, label: option.name, kind: option.kind }));
  return {
    tool: shortLine(call.name || kind || title, 100),
    callId: call.toolCallId,
    summary: shortLine(where !== '' && !title.includes(where) ? `${title} (${where})` : title),
    ...(call.rawInput === undefined ? {} : { input: call.rawInput }),
    ...(choices.length > 0 ? { choices } : {}),
  };
}

/**
 * The answer to the agent: the option the decision picked. A run that ended before anyone
 * answered, or a decision no option matches (an agent offering no way to refuse), is answered
 * "cancelled", which ACP defines for exactly that. ACP has no field for the reason of a denial;
 * the host shows it in the attempt's log.
 */
export function permissionResponseOf(decision: ApprovalDecision): RequestPermissionResponse {
  if (decision.by === 'cancelled' || decision.choiceId === undefined) return { outcome: { outcome: 'cancelled' } };
  return { outcome: { outcome: 'selected', optionId: decision.choiceId } };
}
