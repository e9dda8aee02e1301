import { defineExecutor, definePack } from '@forge-core/sdk';
import { codexConfigShape, codexOptionShape } from './codex-options.ts';
import { detectCodex } from './detect-codex.ts';
import { runCodex } from './run-codex.ts';

export { codexConfigShape, codexOptionShape, type CodexConfig, type CodexOptions } from './codex-options.ts';

export const codex = defineExecutor({
  id: 'codex',
  displayName: 'OpenAI Codex',
  description:
    'Runs the Codex CLI through `codex app-server` (JSON-RPC over stdio): its command and file-change approvals become approvals of the attempt, a follow-up resumes the same thread, and the run\'s MCP servers are passed with -c.',
  capabilities: { resume: true, usageReporting: true, approvals: true, mcpServers: true },
  options: codexOptionShape,
  config: codexConfigShape,
  detect: detectCodex,
  run(input, ctx) {
    return runCodex(input.prompt, input.options, ctx);
  },
  resume(input, ctx) {
    return runCodex(input.prompt, input.options, ctx, input.sessionId);
  },
});

export default definePack({ executors: [codex] });
