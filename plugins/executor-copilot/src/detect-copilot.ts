import { detectCli, detectResultOf, type DetectContext, type DetectResult } from '@forge-core/sdk';
import { copilotConfig } from './copilot-options.ts';

/**
 * The version in `copilot --version`, which prints "GitHub Copilot CLI 1.0.102." and a second
 * line about updates: the number without the sentence's full stop (a pre-release keeps its
 * suffix, 1.0.81-2).
 */
export const COPILOT_VERSION = /(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]*[0-9A-Za-z])?)/;

/** Whether copilot can start here: its command found, and `--version` answering. Never throws. */
export async function detectCopilot(ctx: DetectContext): Promise<DetectResult> {
  const detected = await detectCli(ctx, {
    executorId: 'copilot',
    command: copilotConfig(ctx.config).command,
    install: 'Install GitHub Copilot CLI with `npm install -g @github/copilot` and log it in (run `copilot`, then /login) or give the executor a GitHub token',
    versionPattern: COPILOT_VERSION,
  });
  return detectResultOf(detected);
}
