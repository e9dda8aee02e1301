import { detectCli, detectResultOf, type DetectContext, type DetectResult } from '@forge-core/sdk';
import { ampSettings } from './amp-options.ts';

/**
 * Whether Amp's CLI is there and answers `--version` (`0.0.1790142911-g7618fb (released …)`).
 * Whether it is logged in cannot be told without starting its login: a run without credentials
 * fails at once with `failure: {kind: "auth"}`.
 */
export async function detectAmp(ctx: DetectContext): Promise<DetectResult> {
  const detected = await detectCli(ctx, {
    executorId: 'amp',
    command: ampSettings(ctx.config).command,
    install: 'Install Amp with `npm install -g @sourcegraph/amp` (or its installer from ampcode.com/install), then give the executor an API key or run `amp login`',
  });
  return detectResultOf(detected);
}
