import type { ExecutorEvent, RunContext } from '@forge-core/sdk';
import type { AcpRunPlan } from './acp-run-plan.ts';

/**
 * `@forge-core/executor-acp/session`: the ACP client for packs built on it (gemini, qwen-code,
 * copilot, opencode, or a community pack for another ACP agent). A pack builds an `AcpRunPlan`
 * from its own options and settings and yields `runAcpSession(plan, ctx)`.
 */
export async function* runAcpSession(plan: AcpRunPlan, ctx: RunContext): AsyncGenerator<ExecutorEvent> {
  // The ACP SDK and zod cost every server start about 100 ms and 15 MB when imported with the
  // pack; they are loaded by the first run instead.
  const { runAcpSession: run } = await import('./acp-run.ts');
  yield* run(plan, ctx);
}

export { acpSessionOptionShape, nonEmpty, type AcpRunPlan, type AcpSessionOptions } from './acp-run-plan.ts';
