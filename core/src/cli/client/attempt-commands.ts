import { UsageError } from '../parse-options.ts';
import { ATTEMPT_FIELDS, DIFF_FIELDS, FINISHED_STATES, LIST_FIELDS, LOG_PAGE_FIELDS, type AttemptDiff, type AttemptState, type AttemptView, type LogPage } from './api-types.ts';
import { START_FLAGS, reportStarted, startRequest } from './attempt-start.ts';
import { FOLLOW_FLAG, JSON_FLAG, QUIET_FLAG, defineCommand } from './client-command.ts';
import { CommandFailure, EXIT } from './exit-codes.ts';
import { RefusedRequest } from './http-client.ts';
import { paintState, stateCell } from './state-colors.ts';
import { fieldList, table } from './text-table.ts';
import { terminalSafe, type Style } from './terminal-style.ts';

const PROMPT = { type: 'string', value: '<text>', description: "what to tell the agent (default: the task's title and description)" } as const;
const REOPEN = { type: 'boolean', description: 'work on a done or cancelled task again (it moves back to inprogress)' } as const;

const path = (attemptId: string, rest = '') => `/attempts/${encodeURIComponent(attemptId)}${rest}`;
// The server gives git push 300 s: a large push over a slow link must not be cut short here.
const PUSH_ANSWER_WITHIN_MS = 310_000;

export const attemptStart = defineCommand({
  noun: 'attempt',
  verb: 'start',
  summary: 'Start an agent on a task, in its own worktree and branch',
  args: ['<taskId>'],
  flags: { ...START_FLAGS, prompt: PROMPT, reopen: REOPEN, ...JSON_FLAG, ...QUIET_FLAG },
  example: 'forgecore attempt start 0190f1c3-… --executor claude-code --follow',
  async run(context, { args, flags }) {
    const body = startRequest(context, flags, { prompt: flags.prompt, reopen: flags.reopen });
    const attempt = await context.api().call<AttemptView>('POST', `/tasks/${encodeURIComponent(args[0]!)}/attempts`, { body, expect: ATTEMPT_FIELDS });
    return reportStarted(context, attempt, { what: 'Started', follow: flags.follow === true, json: flags.json === true, jsonLines: false, after: 0, quiet: flags.quiet === true });
  },
});

export const attemptList = defineCommand({
  noun: 'attempt',
  verb: 'list',
  summary: "List a task's attempts, oldest first",
  args: ['<taskId>'],
  flags: { ...JSON_FLAG },
  example: 'forgecore attempt list 0190f1c3-…',
  async run({ api, output, forgecore }, { args, flags }) {
    const list = await api().call<{ items: AttemptView[] }>('GET', `/tasks/${encodeURIComponent(args[0]!)}/attempts`, { expect: LIST_FIELDS });
    if (flags.json) output.json(list);
    else if (list.items.length === 0) output.print(`No attempts yet. Start one with: ${forgecore('attempt start', args[0], '--executor <id>')}`);
    else output.print(table(['ID', 'STATE', 'EXECUTOR', 'BRANCH', 'CREATED'], list.items.map((a) => [a.id, stateCell(output.style, a.state), a.executor.id, a.branch, a.createdAt])));
    return 0;
  },
});

export const attemptShow = defineCommand({
  noun: 'attempt',
  verb: 'show',
  summary: 'Show an attempt: its state, branch, worktree, error, merge and pull request',
  args: ['<attemptId>'],
  flags: { ...JSON_FLAG },
  example: 'forgecore attempt show 0190f1c4-…',
  async run({ api, output }, { args, flags }) {
    const a = await api().call<AttemptView>('GET', path(args[0]!), { expect: ATTEMPT_FIELDS });
    if (flags.json) {
      output.json(a);
      return 0;
    }
    output.print(
      fieldList([
        ['ID', a.id],
        ['Task', a.taskId],
        ['State', paintState(output.style, a.state) + (a.queuePosition ? ` (${ordinal(a.queuePosition)} in the queue)` : '')],
        ['Executor', `${a.executor.id} (${a.executor.package}@${a.executor.version})`],
        ['Branch', `${a.branch} (from ${a.baseBranch})`],
        ['Worktree', a.worktreePath],
        ['Error', a.error && `${a.error.code}: ${terminalSafe(a.error.message)}${a.error.retryAt ? ` (runs again at ${a.error.retryAt})` : ''}`],
        ['Retries', a.retries > 0 ? String(a.retries) : null],
        ['Merged as', a.mergeCommit],
        ['Pull request', a.pullRequest && `#${a.pullRequest.number} ${a.pullRequest.url} (${a.pullRequest.state}${a.pullRequest.checks ? `, checks ${a.pullRequest.checks}` : ''})`],
        ['Created', a.createdAt],
        ['Finished', a.finishedAt],
      ]),
    );
    return 0;
  },
});

export const attemptStop = defineCommand({
  noun: 'attempt',
  verb: 'stop',
  summary: 'Stop a queued or running attempt; its work so far is committed on its branch',
  args: ['<attemptId>'],
  flags: { ...JSON_FLAG },
  example: 'forgecore attempt stop 0190f1c4-…',
  async run({ api, output }, { args, flags }) {
    const attempt = await api()
      .call<AttemptView>('POST', path(args[0]!, '/stop'), { expect: ATTEMPT_FIELDS })
      .catch((error: unknown) => {
        // The server says it as its state machine sees it ("cannot move to cancelled"); a person wants the fact.
        const state = error instanceof RefusedRequest && error.code === 'FORGE_INVALID_TRANSITION' ? (error.details.state as AttemptState) : null;
        if (state !== null && FINISHED_STATES.includes(state)) throw new CommandFailure(`Attempt ${args[0]} has already finished (${state}); nothing to stop.`, EXIT.refused);
        throw error;
      });
    if (flags.json) output.json(attempt);
    else output.print(`Stopped attempt ${attempt.id}: ${paintState(output.style, attempt.state)}.`);
    return 0;
  },
});

export const attemptFollowUp = defineCommand({
  noun: 'attempt',
  verb: 'follow-up',
  summary: 'Run the agent of a finished attempt again, in the same worktree and session, with a new prompt',
  args: ['<attemptId>'],
  flags: { prompt: { ...PROMPT, description: 'what to tell the agent (required)' }, reopen: REOPEN, ...FOLLOW_FLAG, ...JSON_FLAG },
  example: 'forgecore attempt follow-up 0190f1c4-… --prompt "Also update the README" --follow',
  async run(context, { args, flags }) {
    if (flags.prompt === undefined) throw new UsageError('--prompt <text> is required: what to tell the agent', context.name);
    // Only what the follow-up adds is followed: the log so far ends at this entry.
    const after = flags.follow ? ((await context.api().call<LogPage>('GET', path(args[0]!, '/logs'), { query: { tail: true, limit: 1 }, expect: LOG_PAGE_FIELDS })).items[0]?.seq ?? 0) : 0;
    const attempt = await context.api().call<AttemptView>('POST', path(args[0]!, '/follow-up'), { body: { prompt: flags.prompt, ...(flags.reopen && { reopen: true }) }, expect: ATTEMPT_FIELDS });
    return reportStarted(context, attempt, { what: 'Sent the follow-up to', follow: flags.follow === true, json: flags.json === true, jsonLines: false, after, quiet: false });
  },
});

export const attemptDiff = defineCommand({
  noun: 'attempt',
  verb: 'diff',
  summary: 'Show what an attempt changed against its base branch: a unified diff, or with --stat the files',
  args: ['<attemptId>'],
  flags: { stat: { type: 'boolean', description: 'only the files with their added and deleted line counts' }, ...JSON_FLAG },
  example: 'forgecore attempt diff 0190f1c4-… --stat',
  async run({ api, output }, { args, flags }) {
    const diff = await api().call<AttemptDiff>('GET', path(args[0]!, '/diff'), { query: { includePatch: !flags.stat }, expect: DIFF_FIELDS });
    if (flags.json) output.json(diff);
    else if (diff.files.length === 0) output.print(`No changes against ${diff.baseBranch}.`);
    else if (flags.stat) {
      const { green, red } = output.style;
      // File names are the agent's to choose: any escape sequence in one is taken out.
      const file = (f: AttemptDiff['files'][number]) => (f.oldPath ? `${terminalSafe(f.oldPath)} → ${terminalSafe(f.path)}` : terminalSafe(f.path));
      const rows = diff.files.map((f) => [f.change, { text: f.binary ? 'binary' : `+${f.additions} -${f.deletions}`, paint: (text: string) => text.replace(/\+\d+/, green).replace(/-\d+/, red) }, file(f)]);
      output.print(table(['CHANGE', 'LINES', 'FILE'], rows));
    } else {
      output.print(coloredPatch(terminalSafe(diff.patch).trimEnd(), output.style));
      if (diff.truncated) output.note(`The diff is cut short here; git diff ${diff.baseCommit} ${diff.headCommit} in the repository shows it whole.`);
    }
    return 0;
  },
});

export const attemptMerge = defineCommand({
  noun: 'attempt',
  verb: 'merge',
  summary: 'Squash-merge an attempt into its base branch and mark the task done',
  args: ['<attemptId>'],
  flags: { ...JSON_FLAG },
  example: 'forgecore attempt merge 0190f1c4-…',
  async run({ api, output, forgecore }, { args, flags }) {
    const merged = await api()
      .call<{ mergeCommit: string; baseBranch: string }>('POST', path(args[0]!, '/merge'), { expect: ['mergeCommit', 'baseBranch'] })
      .catch(onConflict(`rebase it onto the base: \`${forgecore('attempt rebase', args[0])}\``));
    if (flags.json) output.json(merged);
    else output.print(`Merged attempt ${args[0]} into ${merged.baseBranch} as ${merged.mergeCommit}.`);
    return 0;
  },
});

export const attemptRebase = defineCommand({
  noun: 'attempt',
  verb: 'rebase',
  summary: "Rebase an attempt's branch onto its base branch as it is now, e.g. after a merge conflict",
  args: ['<attemptId>'],
  flags: { ...JSON_FLAG },
  example: 'forgecore attempt rebase 0190f1c4-…',
  async run({ api, output, forgecore }, { args, flags }) {
    const rebased = await api()
      .call<{ baseCommit: string; headCommit: string }>('POST', path(args[0]!, '/rebase'), { expect: ['baseCommit', 'headCommit'] })
      .catch(onConflict(`have the agent resolve them: \`${forgecore('attempt follow-up', args[0], '--prompt "Rebase onto the base branch and resolve the conflicts"')}\``));
    if (flags.json) output.json(rebased);
    else output.print(`Rebased attempt ${args[0]} onto ${rebased.baseCommit}; its branch is now at ${rebased.headCommit}. Merge it: ${forgecore('attempt merge', args[0])}`);
    return 0;
  },
});

/** A refused merge or rebase ends with what to run next, on the same line: a conflict is not a dead end. */
function onConflict(next: string) {
  return (error: unknown): never => {
    if (error instanceof RefusedRequest && error.code === 'FORGE_MERGE_CONFLICT') throw new CommandFailure(`${error.message} Next, ${next}.`, EXIT.refused);
    throw error;
  };
}

export const attemptPush = defineCommand({
  noun: 'attempt',
  verb: 'push',
  summary: "Push an attempt's branch to origin, or with --base its base branch after a merge",
  args: ['<attemptId>'],
  flags: { base: { type: 'boolean', description: 'push the base branch (a fast-forward only), e.g. after attempt merge' }, ...JSON_FLAG },
  example: 'forgecore attempt push 0190f1c4-… --base',
  async run({ api, output }, { args, flags }) {
    const pushed = await api().call<{ remote: string; pushed: string; branch: string; commit: string }>('POST', path(args[0]!, '/push'), {
      body: { branch: flags.base ? 'base' : 'attempt' },
      expect: ['remote', 'branch', 'commit'],
      answerWithinMs: PUSH_ANSWER_WITHIN_MS,
    });
    if (flags.json) output.json(pushed);
    else output.print(`Pushed ${pushed.branch} to ${pushed.remote} at ${pushed.commit}.`);
    return 0;
  },
});

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** A unified diff with git's colours: headers bold, hunks cyan, additions green, deletions red. */
function coloredPatch(patch: string, style: Style): string {
  return patch
    .split('\n')
    .map((line) =>
      /^(diff --git|index |--- |\+\+\+ |new file|deleted file|similarity|rename |old mode|new mode)/.test(line)
        ? style.bold(line)
        : line.startsWith('@@')
          ? style.cyan(line)
          : line.startsWith('+')
            ? style.green(line)
            : line.startsWith('-')
              ? style.red(line)
              : line,
    )
    .join('\n');
}
