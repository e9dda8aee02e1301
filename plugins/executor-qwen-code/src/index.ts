import { defineExecutor, definePack } from '@forge-core/sdk';
import { detectQwen } from './detect-qwen.ts';
import { qwenConfigShape, qwenOptionShape } from './qwen-options.ts';
import { runQwen } from './run-qwen.ts';

export { qwenConfigShape, qwenOptionShape, type QwenConfig, type QwenOptions } from './qwen-options.ts';

export const qwenCode = defineExecutor({
  id: 'qwen-code',
  displayName: 'Qwen Code',
  description:
    "Runs Qwen Code over the Agent Client Protocol (`qwen --acp`): its permission requests become approvals of the attempt, its file and terminal requests are served inside the worktree, a follow-up loads the same session, and the run's MCP servers go to session/new.",
  // Qwen Code reports tokens only in an agent_message_chunk's _meta.usage, which the ACP client does not read: no usage events.
  capabilities: { resume: true, usageReporting: true, approvals: true, mcpServers: true },
  options: qwenOptionShape,
  config: qwenConfigShape,
  detect: detectQwen,
  run(input, ctx) {
    return runQwen(input.prompt, input.options, ctx);
  },
  resume(input, ctx) {
    return runQwen(input.prompt, input.options, ctx, input.sessionId);
  },
});

export default definePack({ executors: [qwenCode] });
