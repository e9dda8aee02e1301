/**
 * Claude's side of its control protocol: with `--permission-prompt-tool stdio` it asks before a
 * tool runs, with
 *   {"type":"control_request","request_id":"…","request":{"subtype":"can_use_tool","tool_name":"Write",
 *    "input":{…},"permission_suggestions":[…],"tool_use_id":"toolu_…"}}
 * and waits for a `control_response` naming the same request_id.
 */
import { recordAt, stringAt, type ApprovalRequest, type JsonRecord } from '@forge-core/sdk';
import { describeToolCall } from './claude-tools.ts';

export interface ClaudeControlRequest {
  requestId: string;
  /** `can_use_tool`, or another the CLI may send (`hook_callback`, `mcp_message`) that must still be answered. */
  subtype: string;
  /** For a well-formed `can_use_tool`: the approval to ask for. Its `input` is what an "allow" hands back. */
  approval?: ApprovalRequest & { input: JsonRecord };
}

/** The request a `control_request` line makes, or undefined when it has no id to answer to. */
export function readControlRequest(line: JsonRecord, roots: readonly string[]): ClaudeControlRequest | undefined {
  const requestId = stringAt(line, 'request_id');
  if (requestId === undefined) return undefined;
  const request = recordAt(line, 'request') ?? {};
  const subtype = stringAt(request, 'subtype') ?? 'unknown';
  const tool = stringAt(request, 'tool_name');
  if (subtype !== 'can_use_tool' || tool === undefined) return { requestId, subtype };
  const input = recordAt(request, 'input') ?? {};
  const callId = stringAt(request, 'tool_use_id');
  const { summary } = describeToolCall(tool, input, roots);
  return {
    requestId,
    subtype,
    approval: { tool, input, ...(callId === undefined ? {} : { callId }), ...(summary === undefined ? {} : { summary }) },
  };
}
