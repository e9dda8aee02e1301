import type { ExecutorEvent, RunContext } from '@forge-core/sdk';
import { codexInvocation } from './codex-invocation.ts';
import { codexConfig, type CodexOptions } from './codex-options.ts';
import { runCodexSession, type CodexRunPlan } from './codex-session.ts';

/**
 * A run or a follow-up of the codex executor. Once the attempt is stopped it yields nothing but
 * `done {status: "cancelled"}`: events codex sent before the stop and not yet read are dropped.
 */
export async function* runCodex(prompt: string, options: CodexOptions, ctx: RunContext, resumeThreadId?: string): AsyncGenerator<ExecutorEvent> {
  const config = codexConfig(ctx.config);
  let plan: CodexRunPlan;
  try {
    plan = {
      invocation: codexInvocation(options, config, ctx.mcpServers, ctx.log),
      prompt,
      model: options.model !== undefined && options.model !== '' ? options.model : config.model,
      sandbox: options.sandbox,
      approvalPolicy: options.approvalPolicy,
      maxReconnectWaitMs: options.maxReconnectWaitMs,
      resumeThreadId,
    };
  } catch (error) {
    yield { type: 'done', status: 'failed', error: `The codex executor is misconfigured: ${(error as Error).message}` };
    return;
  }
  for await (const event of runCodexSession(plan, ctx)) {
    if (ctx.signal.aborted && event.type !== 'done') {
      yield { type: 'done', status: 'cancelled' };
      return;
    }
    yield event;
  }
}
