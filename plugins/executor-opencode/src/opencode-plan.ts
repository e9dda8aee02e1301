import { commandLine, passedEnvironment, type CommandLine, type PackLogger } from '@forge-core/sdk';
import { nonEmpty, type AcpRunPlan } from '@forge-core/executor-acp/session';
import { PROVIDER_KEY_ENVS, type OpencodeConfig, type OpencodeOptions } from './opencode-options.ts';
import { OPENCODE_PERMISSION_ENV, opencodePermission } from './opencode-permission.ts';

const AUTH_HINT =
  "Give opencode a key for its provider (the anthropicApiKey or openaiApiKey option, or the key's variable named in passEnv), or log it in as the user the Forge server runs as with `opencode auth login`";

/** One run of opencode as the ACP client takes it. */
export interface OpencodeRun {
  prompt: string;
  options: OpencodeOptions;
  /** The session a follow-up continues. */
  resumeSessionId?: string;
}

/**
 * How to start `opencode acp` for one run and what to ask of it: the `command` setting split into
 * words, then `acp` and the attempt's extra arguments; the server's variables `passEnv` names and
 * OPENCODE_PERMISSION from the permission option (over any server variable of that name); the
 * mode and the model, the attempt's before the setting's. Provider keys given as options are not
 * set here: the host puts each in its variable when it spawns opencode, and a server variable of
 * the same name is left behind so it cannot shadow the attempt's key. A command setting that
 * cannot be read throws, in words that name the setting.
 */
export function opencodeRunPlan(run: OpencodeRun, config: OpencodeConfig, log: Pick<PackLogger, 'warn'>, source: NodeJS.ProcessEnv = process.env): AcpRunPlan {
  let command: CommandLine | undefined;
  try {
    command = commandLine(config.command);
  } catch (error) {
    throw new TypeError(`the setting executors.opencode.command cannot be read: ${(error as Error).message}`);
  }
  if (command === undefined) throw new TypeError('the setting executors.opencode.command is blank; set it to how opencode is started, such as "opencode"');
  const givenKeys = Object.entries(PROVIDER_KEY_ENVS).flatMap(([option, env]) => (nonEmpty(run.options[option as keyof typeof PROVIDER_KEY_ENVS]) === undefined ? [] : [env]));
  const passed = config.passEnv.filter((name) => !(givenKeys as string[]).includes(name));
  const mode = nonEmpty(run.options.mode);
  const model = nonEmpty(run.options.model) ?? nonEmpty(config.model);
  return {
    agentName: 'OpenCode',
    command: command.command,
    args: [...command.args, 'acp', ...run.options.extraArgs],
    env: { ...passedEnvironment(passed, source, log), [OPENCODE_PERMISSION_ENV]: opencodePermission(run.options.permission) },
    prompt: run.prompt,
    ...(run.resumeSessionId === undefined ? {} : { resumeSessionId: run.resumeSessionId }),
    ...(mode === undefined ? {} : { mode }),
    ...(model === undefined ? {} : { model }),
    turnTimeoutMs: run.options.turnTimeoutMs,
    idleTimeoutMs: run.options.idleTimeoutMs,
    authHint: AUTH_HINT,
  };
}
