import { detectCli, detectResultOf, type DetectContext, type DetectResult } from '@forge-core/sdk';
import { cursorAgentConfig } from './cursor-options.ts';

/**
 * Whether cursor-agent can start here: its command found, and `--version` answering (a dated
 * build such as `2026.08.25-3e8eec8`). It cannot tell whether the CLI is logged in without
 * calling Cursor: a logged-out run fails with `failure: {kind: "auth"}`. Never throws.
 */
export async function detectCursor(ctx: DetectContext): Promise<DetectResult> {
  const detected = await detectCli(ctx, {
    executorId: 'cursor-agent',
    command: cursorAgentConfig(ctx.config).command,
    install: "Install Cursor's CLI with `curl https://cursor.com/install -fsS | bash` and log in with `cursor-agent login` (or give the executor an API key)",
    versionPattern: /\b(\d{4}\.\d{1,2}\.\d{1,2}(?:-[0-9A-Za-z.-]+)?)/,
  });
  return detectResultOf(detected);
}
