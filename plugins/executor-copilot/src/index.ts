import { defineExecutor, definePack } from '@forge-core/sdk';
import { copilotConfigShape, copilotOptionShape } from './copilot-options.ts';
import { detectCopilot } from './detect-copilot.ts';
import { runCopilot } from './run-copilot.ts';

export { copilotConfigShape, copilotOptionShape, type CopilotConfig, type CopilotOptions } from './copilot-options.ts';

export const copilot = defineExecutor({
  id: 'copilot',
  displayName: 'GitHub Copilot CLI',
  description:
    "Runs GitHub Copilot CLI over ACP (`copilot --acp`): its permission requests become approvals, its file and terminal requests are served inside the worktree, a follow-up loads the same session, and the run's MCP servers go to session/new.",
  capabilities: { resume: true, usageReporting: true, approvals: true, mcpServers: true },
  options: copilotOptionShape,
  config: copilotConfigShape,
  detect: detectCopilot,
  run(input, ctx) {
    return runCopilot({ prompt: input.prompt, options: input.options }, ctx);
  },
  resume(input, ctx) {
    return runCopilot({ prompt: input.prompt, options: input.options, resumeSessionId: input.sessionId }, ctx);
  },
});

export default definePack({ executors: [copilot] });
