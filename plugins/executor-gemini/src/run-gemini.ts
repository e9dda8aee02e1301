import { commandSetting, type ExecutorEvent, type RunContext } from '@forge-core/sdk';
import { runAcpSession } from '@forge-core/executor-acp/session';
import { chooseAcpFlag } from './choose-acp-flag.ts';
import { geminiConfig, type GeminiOptions } from './gemini-options.ts';
import { geminiRunPlan } from './gemini-run-plan.ts';

function failed(error: string): ExecutorEvent {
  return { type: 'done', status: 'failed', error };
}

/** One run (or, with a session id, a follow-up) of gemini over ACP, ended with exactly one `done`. */
export async function* runGemini(prompt: string, options: GeminiOptions, ctx: RunContext, resumeSessionId?: string): AsyncGenerator<ExecutorEvent> {
  const config = geminiConfig(ctx.config);
  const command = commandSetting('gemini', config.command, 'Gemini CLI');
  if ('problem' in command) {
    yield failed(command.problem);
    return;
  }
  const flag = yield* chooseAcpFlag(config.acpFlag, config.command, command, ctx);
  if (flag === 'stopped') {
    yield { type: 'done', status: 'cancelled' };
    return;
  }
  yield* runAcpSession(geminiRunPlan({ prompt, options, config, command, flag, ...(resumeSessionId === undefined ? {} : { resumeSessionId }) }, ctx.log), ctx);
}
