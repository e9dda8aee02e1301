import { commandLine, type CommandLine, type ExecutorEvent, type RunContext } from '@forge-core/sdk';
import { runAcpSession } from '@forge-core/executor-acp/session';
import { QWEN_INSTALL } from './detect-qwen.ts';
import { qwenConfig, type QwenOptions } from './qwen-options.ts';
import { qwenRunPlan } from './qwen-run-plan.ts';

/** The command setting as words, or why it cannot be used. */
function commandOf(setting: string): CommandLine | string {
  try {
    return commandLine(setting) ?? `The setting executors.qwen-code.command is blank. ${QWEN_INSTALL}, or set it to the command that starts qwen.`;
  } catch (error) {
    return `The setting executors.qwen-code.command cannot be read: ${(error as Error).message}.`;
  }
}

/** One run (or, with a session id, a follow-up) of Qwen Code over ACP, ended with exactly one `done`. */
export async function* runQwen(prompt: string, options: QwenOptions, ctx: RunContext, resumeSessionId?: string): AsyncGenerator<ExecutorEvent> {
  const config = qwenConfig(ctx.config);
  const command = commandOf(config.command);
  if (typeof command === 'string') {
    yield { type: 'done', status: 'failed', error: command };
    return;
  }
  yield* runAcpSession(qwenRunPlan({ prompt, options, config, command, ...(resumeSessionId === undefined ? {} : { resumeSessionId }) }, ctx.log), ctx);
}
