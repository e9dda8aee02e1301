import { detectCli, detectResultOf, type DetectContext, type DetectResult } from '@forge-core/sdk';
import { claudeCodeSettings } from './claude-code-options.ts';

/**
 * Whether Claude Code's CLI is there and answers `--version`. It cannot tell whether the CLI is
 * logged in without calling the API: a logged-out run fails with `failure: {kind: "auth"}`.
 */
export async function detectClaude(ctx: DetectContext): Promise<DetectResult> {
  const detected = await detectCli(ctx, {
    executorId: 'claude-code',
    command: claudeCodeSettings(ctx.config).command,
    install: 'Install Claude Code with `npm install -g @anthropic-ai/claude-code` and log in by running `claude` once (or give the executor an API key)',
  });
  return detectResultOf(detected);
}
