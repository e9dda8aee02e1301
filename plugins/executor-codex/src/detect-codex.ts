import { detectCli, detectResultOf, type DetectContext, type DetectResult } from '@forge-core/sdk';
import { codexConfig } from './codex-options.ts';

/** Whether codex can start here: its command found, and `--version` answering. Never throws. */
export async function detectCodex(ctx: DetectContext): Promise<DetectResult> {
  const detected = await detectCli(ctx, {
    executorId: 'codex',
    command: codexConfig(ctx.config).command,
    install: 'Install the Codex CLI with `npm install -g @openai/codex` and log in with `codex login` (or give the executor an API key)',
    versionPattern: /codex-cli\s+(\S+)/,
  });
  return detectResultOf(detected);
}
