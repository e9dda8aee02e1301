import { defineExecutor, definePack } from '@forge-core/sdk';
import { detectGemini } from './detect-gemini.ts';
import { geminiConfigShape, geminiOptionShape } from './gemini-options.ts';
import { runGemini } from './run-gemini.ts';

export { geminiConfigShape, geminiOptionShape, type GeminiConfig, type GeminiOptions } from './gemini-options.ts';

export const gemini = defineExecutor({
  id: 'gemini',
  displayName: 'Gemini CLI',
  description:
    "Runs Google's Gemini CLI over the Agent Client Protocol (`gemini --acp`, or `--experimental-acp` before 0.34): its permission requests become approvals of the attempt, its file and terminal requests are served inside the worktree, a follow-up loads the same session, and the run's MCP servers go to session/new.",
  capabilities: { resume: true, usageReporting: true, approvals: true, mcpServers: true },
  options: geminiOptionShape,
  config: geminiConfigShape,
  detect: detectGemini,
  run(input, ctx) {
    return runGemini(input.prompt, input.options, ctx);
  },
  resume(input, ctx) {
    return runGemini(input.prompt, input.options, ctx, input.sessionId);
  },
});

export default definePack({ executors: [gemini] });
