import { shortLine } from '@forge-core/sdk';
import { UsageError } from '../parse-options.ts';
import { APPROVAL_FIELDS, APPROVAL_STATES, PAGE_FIELDS, type Approval, type Page } from './api-types.ts';
import { JSON_FLAG, PAGE_FLAGS, defineCommand, type CommandContext } from './client-command.ts';
import { shellWord } from './command-line.ts';
import { integerFlag } from './flag-values.ts';
import { printListing } from './listing.ts';
import { paintState, stateCell } from './state-colors.ts';
import { terminalSafe } from './terminal-style.ts';

const ANSWER_FLAGS = {
  always: { type: 'boolean', description: 'decide the same tool the same way for the rest of the attempt' },
  ...JSON_FLAG,
} as const;

export const approvalsList = defineCommand({
  noun: 'approvals',
  verb: 'list',
  summary: 'List what agents asked approval for: by default, what waits for an answer',
  args: [],
  flags: {
    state: { type: 'string', value: '<state>', choices: APPROVAL_STATES, description: 'only approvals in this state (default: pending)' },
    all: { type: 'boolean', description: 'approvals in every state' },
    attempt: { type: 'string', value: '<attemptId>', description: "only this attempt's" },
    ...PAGE_FLAGS,
    ...JSON_FLAG,
  },
  example: 'forgecore approvals list',
  async run({ api, output, name: command, forgecore }, { flags }) {
    if (flags.all && flags.state) throw new UsageError('--all and --state exclude each other', command);
    const state = flags.all ? undefined : (flags.state ?? 'pending');
    const query = { state, attemptId: flags.attempt, limit: integerFlag(command, 'limit', flags.limit, 1, 1000), cursor: flags.cursor };
    const page = await api().call<Page<Approval>>('GET', '/approvals', { query, expect: PAGE_FIELDS });
    return printListing(output, page, flags.json, {
      header: ['ID', 'STATE', 'ATTEMPT', 'TOOL', 'WHAT'],
      row: (a) => [a.id, stateCell(output.style, a.state), a.attemptId, terminalSafe(a.tool), terminalSafe(shortLine(a.summary ?? JSON.stringify(a.input ?? ''), 80))],
      empty: state === 'pending' ? 'No approval waits for an answer.' : 'No approvals.',
      next: (cursor) =>
        forgecore('approvals list', flags.all ? '--all' : flags.state && `--state ${flags.state}`, flags.attempt && `--attempt ${shellWord(flags.attempt)}`, flags.limit && `--limit ${shellWord(flags.limit)}`, `--cursor ${shellWord(cursor)}`),
    });
  },
});

export const approvalsApprove = defineCommand({
  noun: 'approvals',
  verb: 'approve',
  summary: 'Let the agent go ahead with what it asked',
  args: ['<approvalId>'],
  flags: ANSWER_FLAGS,
  example: 'forgecore approvals approve 0190f1c5-…',
  run: (context, { args, flags }) => answer(context, args[0]!, { decision: 'approve', scope: flags.always ? 'always' : 'once' }, flags.json),
});

export const approvalsDeny = defineCommand({
  noun: 'approvals',
  verb: 'deny',
  summary: 'Refuse what the agent asked; the reason goes to the agent',
  args: ['<approvalId>'],
  flags: { reason: { type: 'string', value: '<text>', description: 'why, for the agent to take another way' }, ...ANSWER_FLAGS },
  example: 'forgecore approvals deny 0190f1c5-… --reason "do not touch the lock file"',
  run: (context, { args, flags }) => answer(context, args[0]!, { decision: 'deny', scope: flags.always ? 'always' : 'once', reason: flags.reason }, flags.json),
});

async function answer({ api, output }: CommandContext, approvalId: string, body: Record<string, unknown>, json: boolean | undefined): Promise<number> {
  const approval = await api().call<Approval>('POST', `/approvals/${encodeURIComponent(approvalId)}`, { body, expect: APPROVAL_FIELDS });
  if (json) output.json(approval);
  else output.print(`${paintState(output.style, approval.state, true)} ${terminalSafe(approval.tool)}${approval.summary ? ` (${terminalSafe(shortLine(approval.summary, 80))})` : ''} for attempt ${approval.attemptId}, ${approval.scope ?? 'once'}.`);
  return 0;
}
