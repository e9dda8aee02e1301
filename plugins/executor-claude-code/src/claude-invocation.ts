import { passedEnvironment, type CommandLine } from '@forge-core/sdk';
import type { ClaudeCodeOptions, ClaudeCodeSettings } from './claude-code-options.ts';
import { userMessageLine } from './claude-input-lines.ts';
import type { ClaudeInvocation } from './run-claude-session.ts';

export interface ClaudeRunRequest {
  prompt: string;
  options: ClaudeCodeOptions;
  settings: ClaudeCodeSettings;
  /** The settings' command, split. */
  command: CommandLine;
  /** The session to continue, for a resume. */
  sessionId?: string;
  /** The MCP configuration file written for this run, when it has servers. */
  mcpConfigFile?: string;
  /** Where the values of the settings' `passEnv` names come from: the server's environment. */
  environment: Readonly<Record<string, string | undefined>>;
}

/**
 * The command line of one run: Claude in headless mode, stream-json both ways, asking for tool
 * permissions on stdio so Forge's approvals answer them. The prompt goes in as the first line
 * of its input, which stays open for the control protocol.
 */
export function claudeInvocation(request: ClaudeRunRequest): ClaudeInvocation {
  const { options, settings, command } = request;
  const model = options.model || settings.model;
  const args = [
    ...command.args,
    '-p',
    '--output-format', 'stream-json',
    '--input-format', 'stream-json',
    '--verbose',
    '--permission-prompt-tool', 'stdio',
    ...(model ? ['--model', model] : []),
    '--permission-mode', options.permissionMode,
    ...(options.maxTurns === undefined ? [] : ['--max-turns', String(options.maxTurns)]),
    ...(request.sessionId === undefined ? [] : ['--resume', request.sessionId]),
    ...(request.mcpConfigFile === undefined ? [] : ['--mcp-config', request.mcpConfigFile, '--strict-mcp-config']),
    ...(options.allowedTools.length === 0 ? [] : ['--allowedTools', ...options.allowedTools]),
    ...(options.disallowedTools.length === 0 ? [] : ['--disallowedTools', ...options.disallowedTools]),
    ...options.extraArgs,
  ];
  return {
    command: command.command,
    args,
    spawnOptions: { env: passedEnvironment(settings.passEnv, request.environment), stdin: `${userMessageLine(request.prompt)}\n`, interactive: true },
  };
}
