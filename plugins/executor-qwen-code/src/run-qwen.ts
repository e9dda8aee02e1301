import { commandSetting, type ExecutorEvent, type RunContext } from '@forge-core/sdk';
import { runAcpSession } from '@forge-core/executor-acp/session';
import { qwenConfig, type QwenOptions } from './qwen-options.ts';
import { qwenRunPlan } from './qwen-run-plan.ts';

/** One run (or, with a session id, a follow-up) of Qwen Code over ACP, ended with exactly one `done`. */
export async function* runQwen(prompt: string, options: QwenOptions, ctx: RunContext, resumeSessionId?: string): AsyncGenerator<ExecutorEvent> {
  const config = qwenConfig(ctx.config);
  const command = commandSetting('qwen-code', config.command, 'Qwen Code');
  if ('problem' in command) {
    yield { type: 'done', status: 'failed', error: command.problem };
    return;
  }
  yield* runAcpSession(qwenRunPlan({ prompt, options, config, command, ...(resumeSessionId === undefined ? {} : { resumeSessionId }) }, ctx.log), ctx);
}
