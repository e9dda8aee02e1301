import path from 'node:path';
import { defineExecutor, definePack } from '@forge-core/sdk';
import { acpEnvironment } from './acp-environment.ts';
import { acpConfigShape, acpOptionShape, acpPassEnvSetting } from './acp-options.ts';
import { nonEmpty } from './acp-run-plan.ts';
import { runAcpSession } from './session.ts';
import type { AcpOptions } from './acp-options.ts';
import type { RunContext } from '@forge-core/sdk';

export { acpConfigShape, acpOptionShape, type AcpOptions } from './acp-options.ts';

async function* runGeneric(prompt: string, options: AcpOptions, ctx: RunContext, resumeSessionId?: string) {
  const { env, problems } = acpEnvironment(options, acpPassEnvSetting(ctx.config), ctx.log);
  if (problems.length > 0) {
    yield { type: 'done', status: 'failed', error: `The acp executor's options are wrong: ${problems.join('; ')}.` } as const;
    return;
  }
  yield* runAcpSession(
    {
      agentName: path.basename(options.command),
      command: options.command,
      args: options.args,
      env,
      prompt,
      ...(resumeSessionId === undefined ? {} : { resumeSessionId }),
      ...(nonEmpty(options.mode) === undefined ? {} : { mode: options.mode }),
      ...(nonEmpty(options.model) === undefined ? {} : { model: options.model }),
      turnTimeoutMs: options.turnTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      authHint: `Log the agent in as the user the Forge server runs as, or give the profile its key (token and tokenEnv)`,
    },
    ctx,
  );
}

export const acp = defineExecutor({
  id: 'acp',
  displayName: 'Any ACP agent',
  description:
    'Runs any agent that speaks the Agent Client Protocol over stdio, named by a profile ({command, args, env}): its permission requests become approvals, its file and terminal requests are served inside the worktree, a follow-up loads or resumes the session, and the run\'s MCP servers go to session/new.',
  capabilities: { resume: true, usageReporting: true, approvals: true, mcpServers: true },
  options: acpOptionShape,
  config: acpConfigShape,
  // No CLI of its own: each profile names its agent, which is looked for when a run starts.
  detect: async () => ({ available: true }),
  run(input, ctx) {
    return runGeneric(input.prompt, input.options, ctx);
  },
  resume(input, ctx) {
    return runGeneric(input.prompt, input.options, ctx, input.sessionId);
  },
});

export default definePack({ executors: [acp] });
