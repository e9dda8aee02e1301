import { commandLine, passedEnvironment, type CommandLine, type PackLogger } from '@forge-core/sdk';
import { nonEmpty, type AcpRunPlan } from '@forge-core/executor-acp/session';
import { copilotModeId } from './copilot-modes.ts';
import { COPILOT_TOKEN_ENV, type CopilotConfig, type CopilotOptions } from './copilot-options.ts';

const AUTH_HINT =
  'Log copilot in as the user the Forge server runs as (run `copilot`, then /login; or `gh auth login`), or give the executor a GitHub token: the githubToken option, or COPILOT_GITHUB_TOKEN, GH_TOKEN or GITHUB_TOKEN named in passEnv';

/** One run of copilot as the ACP client takes it. */
export interface CopilotRun {
  prompt: string;
  options: CopilotOptions;
  /** The session a follow-up continues. */
  resumeSessionId?: string;
}

/**
 * How to start `copilot --acp` for one run and what to ask of it: the `command` setting split into
 * words, then `--acp` and the attempt's extra arguments; the server's variables `passEnv` names;
 * the mode (by its word or its URI) and the model, the attempt's before the setting's. The token
 * option is not set here: the host puts it in COPILOT_GITHUB_TOKEN when it spawns copilot, and a
 * server variable of that name is left behind so it cannot shadow the attempt's token.
 * A command setting that cannot be read throws, in words that name the setting.
 */
export function copilotRunPlan(run: CopilotRun, config: CopilotConfig, log: Pick<PackLogger, 'warn'>, source: NodeJS.ProcessEnv = process.env): AcpRunPlan {
  let command: CommandLine | undefined;
  try {
    command = commandLine(config.command);
  } catch (error) {
    throw new TypeError(`the setting executors.copilot.command cannot be read: ${(error as Error).message}`);
  }
  if (command === undefined) throw new TypeError('the setting executors.copilot.command is blank; set it to how copilot is started, such as "copilot"');
  const tokenGiven = nonEmpty(run.options.githubToken) !== undefined;
  const passed = tokenGiven ? config.passEnv.filter((name) => name !== COPILOT_TOKEN_ENV) : config.passEnv;
  const mode = nonEmpty(run.options.mode);
  const model = nonEmpty(run.options.model) ?? nonEmpty(config.model);
  return {
    agentName: 'Copilot CLI',
    command: command.command,
    args: [...command.args, '--acp', ...run.options.extraArgs],
    env: passedEnvironment(passed, source, log),
    prompt: run.prompt,
    ...(run.resumeSessionId === undefined ? {} : { resumeSessionId: run.resumeSessionId }),
    ...(mode === undefined ? {} : { mode: copilotModeId(mode) }),
    ...(model === undefined ? {} : { model }),
    turnTimeoutMs: run.options.turnTimeoutMs,
    idleTimeoutMs: run.options.idleTimeoutMs,
    authHint: AUTH_HINT,
  };
}
