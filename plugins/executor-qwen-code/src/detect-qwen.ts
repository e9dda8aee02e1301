import { detectCli, detectResultOf, type DetectContext, type DetectResult } from '@forge-core/sdk';
import { qwenConfig } from './qwen-options.ts';

const QWEN_INSTALL =
  'Install Qwen Code with `npm install -g @qwen-code/qwen-code` (0.15.10 is the last release for Node 20) and log it in by running `qwen` once, or give the executor an OpenAI-compatible endpoint (authType openai with apiKey)';

/** Whether Qwen Code can start here: its command found, and `--version` answering (`0.15.10`). Never throws. */
export async function detectQwen(ctx: DetectContext): Promise<DetectResult> {
  const detected = await detectCli(ctx, { executorId: 'qwen-code', command: qwenConfig(ctx.config).command, install: QWEN_INSTALL });
  return detectResultOf(detected);
}
