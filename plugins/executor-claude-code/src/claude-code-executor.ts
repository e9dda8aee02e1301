import { commandSetting, defineExecutor, type ExecutorEvent, type RunContext } from '@forge-core/sdk';
import { claudeCodeConfigShape, claudeCodeOptionShape, claudeCodeSettings, type ClaudeCodeOptions } from './claude-code-options.ts';
import { claudeInvocation } from './claude-invocation.ts';
import { detectClaude } from './detect-claude.ts';
import { writeMcpConfig } from './mcp-config.ts';
import { runClaudeSession } from './run-claude-session.ts';

const failed = (error: string): ExecutorEvent => ({ type: 'done', status: 'failed', error });

/** One run, fresh or resumed: what it needs is prepared, then Claude runs. */
async function* runClaudeCode(prompt: string, options: ClaudeCodeOptions, ctx: RunContext, sessionId?: string): AsyncGenerator<ExecutorEvent> {
  const settings = claudeCodeSettings(ctx.config);
  const command = commandSetting('claude-code', settings.command, 'Claude Code');
  if ('problem' in command) {
    yield failed(command.problem);
    return;
  }
  let mcpConfigFile: string | undefined;
  try {
    mcpConfigFile = await writeMcpConfig(ctx.mcpServers, ctx.scratchDir);
  } catch (error) {
    yield failed(`Could not write the MCP configuration for Claude in ${ctx.scratchDir}: ${(error as Error).message}`);
    return;
  }
  const invocation = claudeInvocation({
    prompt,
    options,
    settings,
    command,
    environment: process.env,
    ...(sessionId === undefined ? {} : { sessionId }),
    ...(mcpConfigFile === undefined ? {} : { mcpConfigFile }),
  });
  yield* runClaudeSession(invocation, ctx);
}

export const claudeCode = defineExecutor({
  id: 'claude-code',
  displayName: 'Claude Code',
  description: "Runs Anthropic's Claude Code CLI headless (claude -p, stream-json both ways): tool permissions become Forge approvals, follow-ups resume the session, and the run's MCP servers are passed per run.",
  capabilities: { resume: true, usageReporting: true, approvals: true, mcpServers: true },
  options: claudeCodeOptionShape,
  config: claudeCodeConfigShape,
  detect: detectClaude,
  run(input, ctx) {
    return runClaudeCode(input.prompt, input.options, ctx);
  },
  resume(input, ctx) {
    return runClaudeCode(input.prompt, input.options, ctx, input.sessionId);
  },
});
