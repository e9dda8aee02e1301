import { defineExecutor, definePack } from '@forge-core/sdk';
import { detectOpencode } from './detect-opencode.ts';
import { opencodeConfigShape, opencodeOptionShape } from './opencode-options.ts';
import { runOpencode } from './run-opencode.ts';

export { opencodeConfigShape, opencodeOptionShape, type OpencodeConfig, type OpencodeOptions } from './opencode-options.ts';

export const opencode = defineExecutor({
  id: 'opencode',
  displayName: 'OpenCode',
  description:
    "Runs OpenCode over ACP (`opencode acp`): with the permission option at ask (the default) its edit, shell and fetch questions become approvals, its file and terminal requests are served inside the worktree, a follow-up loads the same session, and the run's MCP servers go to session/new.",
  capabilities: { resume: true, usageReporting: true, approvals: true, mcpServers: true },
  options: opencodeOptionShape,
  config: opencodeConfigShape,
  detect: detectOpencode,
  run(input, ctx) {
    return runOpencode({ prompt: input.prompt, options: input.options }, ctx);
  },
  resume(input, ctx) {
    return runOpencode({ prompt: input.prompt, options: input.options, resumeSessionId: input.sessionId }, ctx);
  },
});

export default definePack({ executors: [opencode] });
