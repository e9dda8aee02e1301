import type { ExecutorEvent, RunContext } from '@forge-core/sdk';
import { runAcpSession, type AcpRunPlan } from '@forge-core/executor-acp/session';
import { copilotConfig } from './copilot-options.ts';
import { copilotRunPlan, type CopilotRun } from './copilot-plan.ts';

/** A run or a follow-up of the copilot executor: the plan from the attempt and the settings, then one ACP session. */
export async function* runCopilot(run: CopilotRun, ctx: RunContext): AsyncGenerator<ExecutorEvent> {
  let plan: AcpRunPlan;
  try {
    plan = copilotRunPlan(run, copilotConfig(ctx.config), ctx.log);
  } catch (error) {
    yield { type: 'done', status: 'failed', error: `The copilot executor is misconfigured: ${(error as Error).message}.` };
    return;
  }
  yield* runAcpSession(plan, ctx);
}
