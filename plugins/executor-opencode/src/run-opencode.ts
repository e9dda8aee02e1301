import type { ExecutorEvent, RunContext } from '@forge-core/sdk';
import { runAcpSession, type AcpRunPlan } from '@forge-core/executor-acp/session';
import { opencodeConfig } from './opencode-options.ts';
import { opencodeRunPlan, type OpencodeRun } from './opencode-plan.ts';

/** A run or a follow-up of the opencode executor: the plan from the attempt and the settings, then one ACP session. */
export async function* runOpencode(run: OpencodeRun, ctx: RunContext): AsyncGenerator<ExecutorEvent> {
  let plan: AcpRunPlan;
  try {
    plan = opencodeRunPlan(run, opencodeConfig(ctx.config), ctx.log);
  } catch (error) {
    yield { type: 'done', status: 'failed', error: `The opencode executor is misconfigured: ${(error as Error).message}.` };
    return;
  }
  yield* runAcpSession(plan, ctx);
}
