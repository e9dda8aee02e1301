import { runClaudeSession, type ClaudeSessionOptions } from '@forge-core/executor-claude-code/stream';
import { commandSetting, passedEnvironment, type ExecutorEvent, type RunContext } from '@forge-core/sdk';
import { withAmpFailure } from './amp-failure.ts';
import { ampInvocation } from './amp-invocation.ts';
import { loginPromptEnding } from './amp-login-prompt.ts';
import { writeAmpMcpConfig } from './amp-mcp-config.ts';
import { ampSettings, type AmpOptions } from './amp-options.ts';
import { describeAmpToolCall } from './amp-tools.ts';
import { withoutReplayedHistory } from './replayed-history.ts';
import { withinBounds } from './run-bounds.ts';

const failed = (error: string): ExecutorEvent => ({ type: 'done', status: 'failed', error });

/**
 * Amp's dialect of Claude's stream-json: its own name and tools, usage on each assistant message
 * (its result carries none), and a login prompt instead of an error when it has no credentials.
 */
const AMP_STREAM: ClaudeSessionOptions = {
  parser: { agent: 'amp', describeToolCall: describeAmpToolCall, usageFrom: 'assistant' },
  endsRun: loginPromptEnding,
};

/** One run, fresh or continuing a thread: what it needs is prepared, then amp runs. */
export async function* runAmp(prompt: string, options: AmpOptions, ctx: RunContext, threadId?: string): AsyncGenerator<ExecutorEvent> {
  const settings = ampSettings(ctx.config);
  const command = commandSetting('amp', settings.command, 'Amp');
  if ('problem' in command) {
    yield failed(command.problem);
    return;
  }
  let mcpConfigFile: string | undefined;
  try {
    mcpConfigFile = await writeAmpMcpConfig(ctx.mcpServers, ctx.scratchDir);
  } catch (error) {
    yield failed(`Could not write the MCP configuration for amp in ${ctx.scratchDir}: ${(error as Error).message}`);
    return;
  }
  const invocation = ampInvocation({
    prompt,
    options,
    settings,
    command,
    env: passedEnvironment(settings.passEnv, process.env, ctx.log),
    ...(threadId === undefined ? {} : { threadId }),
    ...(mcpConfigFile === undefined ? {} : { mcpConfigFile }),
  });
  const bounded = withinBounds(runClaudeSession(invocation, ctx, AMP_STREAM), options, ctx.signal, 'amp');
  const events = threadId === undefined ? bounded : withoutReplayedHistory(bounded, prompt, ctx.signal);
  for await (const event of events) yield event.type === 'done' ? withAmpFailure(event) : event;
}
