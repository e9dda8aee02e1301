import { CodexContent, CodexRecording } from './codex-transcript.ts';

// The recorded Claude session's own facts; its paths lie under its cwd, as a real session's do.
const CLAUDE_CWD = '/home/dev/shop';
const CLAUDE_SESSION_ID = '7d2e4c1a-9b3f-4e8d-a1c6-5f0b2a3e4d71';
const CLAUDE_MODEL = 'claude-sonnet-4-5-20250929';
const USAGE = { input_tokens: 4, cache_creation_input_tokens: 300, cache_read_input_tokens: 14_000, output_tokens: 60, service_tier: 'standard' };
const COMMANDS = ['npm test', 'npx tsc --noEmit -p tsconfig.json', 'npm run lint', 'git diff --stat'];

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/**
 * Claude Code in `--permission-mode default` asking before every tool: `approvals` Bash calls, each
 * a tool_use, its `can_use_tool` control request (the replay holds everything after it until
 * Forge answers) and the tool's result; then the final answer and the result line.
 */
export function claudeApprovalTranscript(approvals: number): string[] {
  const lines: string[] = [];
  const print = (message: Record<string, unknown>) => lines.push(JSON.stringify({ ...message, session_id: CLAUDE_SESSION_ID, uuid: `5e1c${hex(lines.length, 4)}-7a2b-4c3d-8e9f-0a1b2c3d4e05` }));
  const assistant = (content: unknown[], stopReason: string, turn: number) => {
    const message = { id: `msg_01Appr0va1Turn${hex(turn, 8)}`, type: 'message', role: 'assistant', model: CLAUDE_MODEL, content, stop_reason: stopReason, stop_sequence: null, usage: USAGE };
    print({ type: 'assistant', message, parent_tool_use_id: null });
  };
  print({
    type: 'system', subtype: 'init', cwd: CLAUDE_CWD, tools: ['Bash', 'Read', 'Edit', 'Write'], mcp_servers: [], model: CLAUDE_MODEL, permissionMode: 'default',
    slash_commands: ['compact', 'review'], apiKeySource: 'ANTHROPIC_API_KEY', claude_code_version: '2.1.197', output_style: 'default',
  });
  for (let i = 0; i < approvals; i++) {
    const toolUseId = `toolu_01Appr0va1Ca11${hex(i, 8)}`;
    const input = { command: COMMANDS[i % COMMANDS.length]!, description: `Check number ${i + 1}` };
    assistant([{ type: 'tool_use', id: toolUseId, name: 'Bash', input }], 'tool_use', i);
    lines.push(JSON.stringify({
      type: 'control_request',
      request_id: `4f1d9a52-6b0e-4c1f-a7d3-${hex(i, 12)}`,
      request: { subtype: 'can_use_tool', tool_name: 'Bash', input, permission_suggestions: [{ type: 'addRules', rules: [{ toolName: 'Bash', ruleContent: input.command }], behavior: 'allow', destination: 'localSettings' }], tool_use_id: toolUseId },
    }));
    const stdout = `check ${i + 1}: ok`;
    print({ type: 'user', message: { role: 'user', content: [{ tool_use_id: toolUseId, type: 'tool_result', content: stdout, is_error: false }] }, parent_tool_use_id: null, tool_use_result: { stdout, stderr: '', interrupted: false, isImage: false } });
  }
  const summary = `Ran ${approvals} checks; all passed.`;
  assistant([{ type: 'text', text: summary }], 'end_turn', approvals);
  print({ type: 'result', subtype: 'success', is_error: false, duration_ms: approvals * 900, duration_api_ms: approvals * 700, num_turns: approvals + 1, result: summary, total_cost_usd: 0.0125, usage: USAGE, permission_denials: [] });
  return lines;
}

/**
 * `codex app-server` with `approvalPolicy: on-request` asking before every command: `approvals`
 * commandExecution items, each announced, then its `item/commandExecution/requestApproval`
 * (held by the replay until Forge answers), the request resolved, the output and the completed
 * item with its usage; then the final message and turn/completed.
 */
export function codexApprovalTranscript(approvals: number): string[] {
  const content = new CodexContent(23);
  const session = new CodexRecording('on-request', 'Run every check and say whether they pass.');
  for (let i = 0; i < approvals; i++) {
    const item = content.command();
    session.itemStarted(item);
    const requestId = session.request('item/commandExecution/requestApproval', {
      kind: 'command', itemId: item['id'], approvalId: null, environmentId: 'local', reason: 'The command needs to write outside the sandbox.',
      networkApprovalContext: null, command: item['command'], cwd: item['cwd'], commandActions: item['commandActions'], proposedExecpolicyAmendment: null, proposedNetworkPolicyAmendments: null,
    });
    session.resolved(requestId);
    const output = content.outputLines();
    for (const piece of output) session.delta('item/commandExecution/outputDelta', String(item['id']), piece);
    session.itemCompleted({ ...item, status: 'completed', aggregatedOutput: output.join(''), exitCode: 0, durationMs: content.between(40, 2_000) });
    session.tokenUsage(content.usage());
  }
  const final = content.sentence();
  const id = content.itemId('msg_');
  session.itemStarted({ type: 'agentMessage', id, text: '', phase: null, memoryCitation: null });
  session.delta('item/agentMessage/delta', id, final);
  session.itemCompleted({ type: 'agentMessage', id, text: final, phase: null, memoryCitation: null });
  session.completeTurn();
  return session.lines;
}
