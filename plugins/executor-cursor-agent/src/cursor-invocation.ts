import { ENV_VAR_NAME_PATTERN, type CommandLine, type PackLogger } from '@forge-core/sdk';
import type { CursorAgentConfig, CursorAgentOptions } from './cursor-options.ts';

/** The flag that makes cursor-agent print assistant text as deltas; the parser then merges them. */
export const PARTIAL_OUTPUT_FLAG = '--stream-partial-output';

export interface CursorRunRequest {
  prompt: string;
  options: CursorAgentOptions;
  config: CursorAgentConfig;
  /** The `command` setting, split. */
  command: CommandLine;
  /** The chat to continue, for a follow-up. */
  sessionId?: string;
}

/** How to start cursor-agent for one run. */
export interface CursorInvocation {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** The prompt, written to stdin, which is then closed. */
  stdin: string;
  /** The arguments ask for partial output (through extraArgs): assistant lines are deltas. */
  partialOutput: boolean;
}

/**
 * The command line of one run: print mode with stream-json output, the worktree trusted (Forge
 * made it for this run, and an untrusted folder makes print mode refuse and exit 0), --force
 * unless the options say otherwise, the model, the chat to resume, then the attempt's extra
 * arguments. The prompt goes on stdin, never in argv (length, quoting, `ps`); the API key
 * reaches the CLI as CURSOR_API_KEY, set by the host from the secret option.
 */
export function cursorInvocation(request: CursorRunRequest, log: PackLogger, environment: NodeJS.ProcessEnv = process.env): CursorInvocation {
  const { options, config, command } = request;
  const model = options.model || config.model;
  const env: Record<string, string> = {};
  for (const name of config.passEnv) {
    if (!ENV_VAR_NAME_PATTERN.test(name)) log.warn(`passEnv: ${JSON.stringify(name)} is not an environment variable name (${ENV_VAR_NAME_PATTERN}); skipped`);
    else if (environment[name] !== undefined) env[name] = environment[name];
  }
  const args = [
    ...command.args,
    '-p',
    '--output-format', 'stream-json',
    '--trust',
    ...(options.force ? ['--force'] : []),
    ...(model ? ['--model', model] : []),
    ...(request.sessionId === undefined ? [] : ['--resume', request.sessionId]),
    ...options.extraArgs,
  ];
  return { command: command.command, args, env, stdin: request.prompt, partialOutput: options.extraArgs.includes(PARTIAL_OUTPUT_FLAG) };
}
