/**
 * `@forge-core/executor-acp/session`: the ACP client for packs built on it (gemini, qwen-code,
 * copilot, opencode, or a community pack for another ACP agent). A pack builds an `AcpRunPlan`
 * from its own options and settings and yields `runAcpSession(plan, ctx)`.
 */
export { runAcpSession } from './acp-run.ts';
export { acpSessionOptionShape, nonEmpty, type AcpRunPlan, type AcpSessionOptions } from './acp-run-plan.ts';
