import { passedEnvironment, splitCommandLine, type McpServer, type PackLogger } from '@forge-core/sdk';
import type { CodexConfig, CodexOptions } from './codex-options.ts';
import { mcpConfigArgs } from './mcp-config-args.ts';

/** The environment variables codex reads an API key from. */
const API_KEY_VARIABLES = ['OPENAI_API_KEY', 'CODEX_API_KEY'];

/** How to start `codex app-server` for one run. */
export interface CodexInvocation {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** An API key reaches codex (the apiKey option, or a key variable passed from the server's environment). */
  hasApiKey: boolean;
}

/**
 * The command line and environment of one run: the `command` setting split into words, then
 * `app-server`, the run's MCP servers as `-c` overrides, and the attempt's extra arguments. The
 * variables `passEnv` names are copied from the server's environment when set there.
 */
export function codexInvocation(options: CodexOptions, config: CodexConfig, mcpServers: readonly McpServer[], log: PackLogger, source: NodeJS.ProcessEnv = process.env): CodexInvocation {
  const [command, ...prefix] = splitCommandLine(config.command);
  if (command === undefined) throw new TypeError('the command setting of the codex executor is empty; set executors.codex.command to how codex is started, such as "codex"');
  const env = passedEnvironment(config.passEnv, source, log);
  const keyGiven = options.apiKey !== undefined && options.apiKey !== '';
  return {
    command,
    args: [...prefix, 'app-server', ...mcpConfigArgs(mcpServers), ...options.extraArgs],
    env,
    hasApiKey: keyGiven || API_KEY_VARIABLES.some((name) => (env[name] ?? '') !== ''),
  };
}
