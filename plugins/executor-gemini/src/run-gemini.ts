import { commandLine, type CommandLine, type ExecutorEvent, type RunContext } from '@forge-core/sdk';
import { runAcpSession } from '@forge-core/executor-acp/session';
import { chooseAcpFlag } from './choose-acp-flag.ts';
import { GEMINI_INSTALL } from './detect-gemini.ts';
import { geminiConfig, type GeminiOptions } from './gemini-options.ts';
import { geminiRunPlan } from './gemini-run-plan.ts';

function failed(error: string): ExecutorEvent {
  return { type: 'done', status: 'failed', error };
}

/** The command setting as words, or why it cannot be used. */
function commandOf(setting: string): CommandLine | string {
  try {
    return commandLine(setting) ?? `The setting executors.gemini.command is blank. ${GEMINI_INSTALL}, or set it to the command that starts gemini.`;
  } catch (error) {
    return `The setting executors.gemini.command cannot be read: ${(error as Error).message}.`;
  }
}

/** One run (or, with a session id, a follow-up) of gemini over ACP, ended with exactly one `done`. */
export async function* runGemini(prompt: string, options: GeminiOptions, ctx: RunContext, resumeSessionId?: string): AsyncGenerator<ExecutorEvent> {
  const config = geminiConfig(ctx.config);
  const command = commandOf(config.command);
  if (typeof command === 'string') {
    yield failed(command);
    return;
  }
  const flag = yield* chooseAcpFlag(config.acpFlag, config.command, command, ctx);
  if (flag === 'stopped') {
    yield { type: 'done', status: 'cancelled' };
    return;
  }
  yield* runAcpSession(geminiRunPlan({ prompt, options, config, command, flag, ...(resumeSessionId === undefined ? {} : { resumeSessionId }) }, ctx.log), ctx);
}
