import { detectCli, detectResultOf, type DetectContext, type DetectResult } from '@forge-core/sdk';
import { geminiConfig } from './gemini-options.ts';
import { rememberVersion } from './known-versions.ts';

const GEMINI_INSTALL = 'Install Gemini CLI with `npm install -g @google/gemini-cli` and run `gemini` once to log in (or give the executor an API key)';

/** gemini prints its version alone (`0.61.0`); the `(-…)` part keeps a nightly's or preview's suffix for the flag choice. */
export const GEMINI_VERSION_PATTERN = /\b(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/;

/** Whether gemini can start here: its command found, and `--version` answering. The version is kept for the runs' ACP flag. Never throws. */
export async function detectGemini(ctx: DetectContext): Promise<DetectResult> {
  const { command } = geminiConfig(ctx.config);
  const detected = await detectCli(ctx, {
    executorId: 'gemini',
    command,
    install: GEMINI_INSTALL,
    versionPattern: GEMINI_VERSION_PATTERN,
  });
  if (detected.version !== undefined) rememberVersion(command, detected.version);
  return detectResultOf(detected);
}
