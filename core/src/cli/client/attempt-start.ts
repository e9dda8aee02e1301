import type { AttemptView } from './api-types.ts';
import { finishFollowing, followAttempt } from './attempt-follower.ts';
import { FOLLOW_FLAG, type CommandContext, type FlagSpecs } from './client-command.ts';
import { executorOptions } from './flag-values.ts';
import { UsageError } from '../parse-options.ts';

/** How an attempt is started: by `attempt start`, and by `task create --start`. */
export const START_FLAGS = {
  executor: { type: 'string', value: '<id>', description: 'the agent to run (forgecore executors lists them)' },
  profile: { type: 'string', value: '<name>', description: 'an executor profile (named options for an executor) to start from' },
  option: { type: 'string', multiple: true, value: '<key=value>', description: 'an executor option; a value that reads as JSON is taken as JSON (--option delayMs=100)' },
  'base-branch': { type: 'string', value: '<branch>', description: "the branch to start from and merge into (default: the project's)" },
  ...FOLLOW_FLAG,
} as const satisfies FlagSpecs;

export interface StartFlags {
  executor?: string | undefined;
  profile?: string | undefined;
  option?: string[] | undefined;
  'base-branch'?: string | undefined;
  follow?: boolean | undefined;
}

/** The start request's body from the flags; a usage error when they name no agent. */
export function startRequest(
  { name, forgecore }: Pick<CommandContext, 'name' | 'forgecore'>,
  flags: StartFlags,
  extra: { prompt?: string | undefined; reopen?: boolean | undefined } = {},
): Record<string, unknown> {
  if (flags.executor === undefined && flags.profile === undefined) {
    throw new UsageError(`name the agent with --executor <id> or --profile <name> (${forgecore('executors')} lists them)`, name);
  }
  return {
    executor: flags.executor,
    profile: flags.profile,
    options: executorOptions(name, flags.option),
    baseBranch: flags['base-branch'],
    prompt: extra.prompt,
    ...(extra.reopen && { reopen: true }),
  };
}

export interface Report {
  /** "Started", "Sent the follow-up to". */
  what: string;
  follow: boolean;
  json: boolean;
  /** JSON lines rather than one indented document: more documents come, or came before. */
  jsonLines: boolean;
  /** With follow: show the log after this seq. */
  after: number;
  /** Only the attempt's id (then its log, with follow). */
  quiet: boolean;
}

/** Says what was started, and with --follow prints its log until it ends: the exit code tells how it ended. */
export async function reportStarted({ api, output, forgecore }: CommandContext, attempt: AttemptView, report: Report): Promise<number> {
  if (report.json) {
    if (report.jsonLines || report.follow) output.jsonLine(attempt);
    else output.json(attempt);
  } else if (report.quiet) output.print(attempt.id);
  else {
    const how = report.follow ? 'following its log (Ctrl-C stops following, not the attempt)' : `follow it with: ${forgecore('logs -f', attempt.id)}`;
    output.print(`${report.what} attempt ${attempt.id} (${attempt.executor.id}, branch ${attempt.branch}), ${attempt.state}; ${how}.`);
  }
  if (!report.follow) return 0;
  const ended = await followAttempt(api(), attempt.id, output, { after: report.after, json: report.json, forgecore });
  return finishFollowing(ended, output, { json: report.json, forgecore });
}
