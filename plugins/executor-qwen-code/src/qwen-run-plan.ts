import { passedEnvironment, type CommandLine, type PackLogger } from '@forge-core/sdk';
import { nonEmpty, type AcpRunPlan } from '@forge-core/executor-acp/session';
import { qwenOptionShape, type QwenConfig, type QwenOptions } from './qwen-options.ts';

export const QWEN_AUTH_HINT =
  'Log Qwen Code in as the user the Forge server runs as (run `qwen` once), or set the attempt\'s authType to openai with an apiKey (and baseUrl and model for an OpenAI-compatible endpoint), or pass OPENAI_API_KEY from the server with the passEnv setting';

const API_KEY_VARIABLE = qwenOptionShape.apiKey.env;

export interface QwenRunRequest {
  prompt: string;
  options: QwenOptions;
  config: QwenConfig;
  /** The command setting, split. */
  command: CommandLine;
  resumeSessionId?: string;
}

/**
 * One run of Qwen Code over ACP: the command setting, `--acp`, `--auth-type` unless none, the
 * attempt's extra arguments. The endpoint options go in qwen's environment (OPENAI_BASE_URL, and
 * with authType openai the model as OPENAI_MODEL, since the session's model choices are qwen's own
 * ids); the apiKey option reaches qwen as OPENAI_API_KEY through the host, which sets it when it
 * spawns, so an OPENAI_API_KEY passed from the server's environment is left out then.
 */
export function qwenRunPlan(request: QwenRunRequest, log: Pick<PackLogger, 'warn'>, source: NodeJS.ProcessEnv = process.env): AcpRunPlan {
  const { prompt, options, config, command, resumeSessionId } = request;
  const env = passedEnvironment(config.passEnv, source, log);
  const keyGiven = nonEmpty(options.apiKey) !== undefined;
  if (keyGiven) delete env[API_KEY_VARIABLE];
  if (keyGiven && options.authType === 'none') {
    log.warn('apiKey is set but authType is none: Qwen Code reads OPENAI_API_KEY only with authType openai, or when its own settings select the openai login.');
  }
  const baseUrl = nonEmpty(options.baseUrl);
  if (baseUrl !== undefined) env['OPENAI_BASE_URL'] = baseUrl;
  const mode = nonEmpty(options.mode);
  const model = nonEmpty(options.model) ?? config.model;
  const modelByEnv = options.authType === 'openai' && model !== undefined;
  if (modelByEnv) env['OPENAI_MODEL'] = model;
  return {
    agentName: 'Qwen Code',
    command: command.command,
    args: [...command.args, '--acp', ...(options.authType === 'none' ? [] : ['--auth-type', options.authType]), ...options.extraArgs],
    env,
    prompt,
    ...(resumeSessionId === undefined ? {} : { resumeSessionId }),
    ...(mode === undefined ? {} : { mode }),
    ...(model === undefined || modelByEnv ? {} : { model }),
    turnTimeoutMs: options.turnTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    authHint: QWEN_AUTH_HINT,
  };
}
