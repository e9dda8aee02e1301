import { defineExecutor } from '@forge-core/sdk';
import { cursorAgentConfigShape, cursorAgentOptionShape } from './cursor-options.ts';
import { detectCursor } from './detect-cursor.ts';
import { runCursorAgent } from './run-cursor-agent.ts';

/**
 * Cursor's Agent CLI in print mode. Print mode has no approval protocol (so `approvals: false`:
 * the `force` option decides once whether the agent may edit and run commands) and no per-run
 * MCP configuration (so `mcpServers: false`). A follow-up resumes the chat with --resume.
 */
export const cursorAgent = defineExecutor({
  id: 'cursor-agent',
  displayName: 'Cursor Agent',
  description:
    "Runs Cursor's Agent CLI headless (cursor-agent -p --output-format stream-json, the prompt on stdin): edits are allowed with --force (print mode cannot ask first), and a follow-up resumes the same chat.",
  capabilities: { resume: true, usageReporting: true, approvals: false, mcpServers: false },
  options: cursorAgentOptionShape,
  config: cursorAgentConfigShape,
  detect: detectCursor,
  run(input, ctx) {
    return runCursorAgent(input.prompt, input.options, ctx);
  },
  resume(input, ctx) {
    return runCursorAgent(input.prompt, input.options, ctx, input.sessionId);
  },
});
