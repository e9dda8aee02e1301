import { detectCli, detectResultOf, type DetectContext, type DetectResult } from '@forge-core/sdk';
import { opencodeConfig } from './opencode-options.ts';

/** Whether opencode can start here: its command found, and `--version` (which prints the bare number, 1.18.33) answering. Never throws. */
export async function detectOpencode(ctx: DetectContext): Promise<DetectResult> {
  const detected = await detectCli(ctx, {
    executorId: 'opencode',
    command: opencodeConfig(ctx.config).command,
    install: 'Install OpenCode with `npm install -g opencode-ai` and give it a provider key or log it in with `opencode auth login`',
  });
  return detectResultOf(detected);
}
