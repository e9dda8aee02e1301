import { passedEnvironment, type CommandLine, type PackLogger } from '@forge-core/sdk';
import { nonEmpty, type AcpRunPlan } from '@forge-core/executor-acp/session';
import type { AcpFlag } from './acp-flag.ts';
import { geminiOptionShape, type GeminiConfig, type GeminiOptions } from './gemini-options.ts';

export const GEMINI_AUTH_HINT =
  'Run `gemini` once as the user the Forge server runs as to log in, or give the attempt an API key (apiKey), or pass GEMINI_API_KEY from the server with the passEnv setting';

const API_KEY_VARIABLE = geminiOptionShape.apiKey.env;

export interface GeminiRunRequest {
  prompt: string;
  options: GeminiOptions;
  config: GeminiConfig;
  /** The command setting, split. */
  command: CommandLine;
  flag: AcpFlag;
  resumeSessionId?: string;
}

/**
 * One run of gemini over ACP: the command setting, the ACP flag, the attempt's extra arguments;
 * the server variables passEnv names; the mode and model asked for. The apiKey option reaches
 * gemini as GEMINI_API_KEY through the host, which sets it when it spawns; a GEMINI_API_KEY passed
 * from the server's environment is left out then, so the attempt's own key is the one gemini sees
 * even on a host whose pack environment wins over secrets (those before this rule was settled).
 */
export function geminiRunPlan(request: GeminiRunRequest, log: Pick<PackLogger, 'warn'>, source: NodeJS.ProcessEnv = process.env): AcpRunPlan {
  const { prompt, options, config, command, flag, resumeSessionId } = request;
  const env = passedEnvironment(config.passEnv, source, log);
  if (nonEmpty(options.apiKey) !== undefined) delete env[API_KEY_VARIABLE];
  const mode = nonEmpty(options.mode);
  const model = nonEmpty(options.model) ?? config.model;
  return {
    agentName: 'Gemini CLI',
    command: command.command,
    args: [...command.args, flag, ...options.extraArgs],
    env,
    prompt,
    ...(resumeSessionId === undefined ? {} : { resumeSessionId }),
    ...(mode === undefined ? {} : { mode }),
    ...(model === undefined ? {} : { model }),
    turnTimeoutMs: options.turnTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    authHint: GEMINI_AUTH_HINT,
  };
}
