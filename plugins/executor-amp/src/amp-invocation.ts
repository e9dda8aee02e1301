import type { CommandLine } from '@forge-core/sdk';
import type { ClaudeInvocation } from '@forge-core/executor-claude-code/stream';
import type { AmpOptions, AmpSettings } from './amp-options.ts';

export interface AmpRunRequest {
  prompt: string;
  options: AmpOptions;
  settings: AmpSettings;
  /** The settings' command, split. */
  command: CommandLine;
  /** The thread a follow-up continues (`T-…`). */
  threadId?: string;
  /** The MCP configuration file written for this run, when it has servers. */
  mcpConfigFile?: string;
  /** The variables the settings' passEnv names, with the server's values. */
  env: Readonly<Record<string, string>>;
}

/**
 * The command line of one run: Amp in execute mode printing stream-json, or `threads continue
 * <id>` in the same mode for a follow-up, as Sourcegraph's amp-sdk starts it. The prompt is the
 * whole of its stdin, closed after it: execute mode takes the user's message from stdin when the
 * arguments give none, which keeps a long prompt out of the argument list.
 */
export function ampInvocation(request: AmpRunRequest): ClaudeInvocation {
  const { options, settings, command } = request;
  const mode = options.mode || settings.mode;
  const args = [
    ...command.args,
    ...(request.threadId === undefined ? [] : ['threads', 'continue', request.threadId]),
    '--execute',
    '--stream-json',
    ...(options.thinking ? ['--stream-json-thinking'] : []),
    ...(options.allowAll ? ['--dangerously-allow-all'] : []),
    ...(mode ? ['--mode', mode] : []),
    ...(options.visibility === undefined ? [] : ['--visibility', options.visibility]),
    ...(request.mcpConfigFile === undefined ? [] : ['--mcp-config', request.mcpConfigFile]),
    ...options.extraArgs,
  ];
  return { command: command.command, args, spawnOptions: { env: { ...request.env }, stdin: request.prompt } };
}
