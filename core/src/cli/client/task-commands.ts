import { shortLine } from '@forge-core/sdk';
import { UsageError } from '../parse-options.ts';
import { ATTEMPT_FIELDS, LIST_FIELDS, PAGE_FIELDS, TASK_FIELDS, TASK_STATUSES, type AttemptView, type Page, type Task } from './api-types.ts';
import { START_FLAGS, reportStarted, startRequest } from './attempt-start.ts';
import { JSON_FLAG, PAGE_FLAGS, QUIET_FLAG, defineCommand } from './client-command.ts';
import { shellWord } from './command-line.ts';
import { integerFlag } from './flag-values.ts';
import { printListing } from './listing.ts';
import { paintState, stateCell } from './state-colors.ts';
import { fieldList, table } from './text-table.ts';
import { terminalSafe } from './terminal-style.ts';

const PRIORITY = { type: 'string', value: '<n>', description: 'higher runs first when attempts queue (-1000 to 1000, default 0)' } as const;
const TITLE_WIDTH = 80;

export const taskCreate = defineCommand({
  noun: 'task',
  verb: 'create',
  summary: 'Create a task in a project; with --start, start an agent on it at once',
  args: [],
  flags: {
    project: { type: 'string', value: '<projectId>', description: 'the project (required; forgecore project list)' },
    title: { type: 'string', value: '<title>', description: 'what to do, in a line (required)' },
    description: { type: 'string', value: '<text>', description: 'what the agent should know: what to change, how to check it' },
    priority: PRIORITY,
    parent: { type: 'string', value: '<taskId>', description: 'make it a subtask of this task' },
    'depends-on': { type: 'string', multiple: true, value: '<taskId>', description: 'a task it waits on (the dependencies feature)' },
    start: { type: 'boolean', description: 'start an attempt on it at once, with --executor or --profile' },
    ...START_FLAGS,
    ...JSON_FLAG,
    ...QUIET_FLAG,
  },
  example: 'forgecore task create --project 0190f1c2-… --title "Add a health check" --start --executor claude-code --follow',
  async run(context, { flags }) {
    const command = context.name;
    if (flags.project === undefined) throw new UsageError(`--project <projectId> is required (${context.forgecore('project list')} shows the ids)`, command);
    if (flags.title === undefined) throw new UsageError('--title <title> is required', command);
    const startOnly = (['executor', 'profile', 'option', 'base-branch', 'follow'] as const).find((name) => flags[name] !== undefined);
    if (!flags.start && startOnly) throw new UsageError(`--${startOnly} goes with --start`, command);
    // Checked before the task is made, so a mistake there leaves no task behind.
    const start = flags.start ? startRequest(context, flags) : null;
    const task = await context.api().call<Task>('POST', '/tasks', {
      body: {
        projectId: flags.project,
        title: flags.title,
        description: flags.description,
        priority: integerFlag(command, 'priority', flags.priority, -1000, 1000),
        parentTaskId: flags.parent,
        dependsOn: flags['depends-on'],
      },
      expect: TASK_FIELDS,
    });
    const json = flags.json === true;
    if (json) {
      if (start) context.output.jsonLine(task);
      else context.output.json(task);
    } else if (flags.quiet) context.output.print(task.id);
    else context.output.print(`Created task ${task.id}: ${terminalSafe(shortLine(task.title, TITLE_WIDTH))}`);
    if (!start) return 0;
    const attempt = await context.api().call<AttemptView>('POST', `/tasks/${encodeURIComponent(task.id)}/attempts`, { body: start, expect: ATTEMPT_FIELDS });
    return reportStarted(context, attempt, { what: 'Started', follow: flags.follow === true, json, jsonLines: true, after: 0, quiet: flags.quiet === true });
  },
});

export const taskList = defineCommand({
  noun: 'task',
  verb: 'list',
  summary: 'List tasks, oldest first, of one project or all, in some statuses or all',
  args: [],
  flags: {
    project: { type: 'string', value: '<projectId>', description: "only this project's tasks" },
    status: { type: 'string', multiple: true, value: '<status>', choices: TASK_STATUSES, description: 'only tasks in this status' },
    ...PAGE_FLAGS,
    ...JSON_FLAG,
  },
  example: 'forgecore task list --project 0190f1c2-… --status inreview',
  async run({ api, output, name: command, forgecore }, { flags }) {
    const query = { projectId: flags.project, status: flags.status, limit: integerFlag(command, 'limit', flags.limit, 1, 1000), cursor: flags.cursor };
    const page = await api().call<Page<Task>>('GET', '/tasks', { query, expect: PAGE_FIELDS });
    return printListing(output, page, flags.json, {
      header: ['ID', 'STATUS', 'PRIORITY', 'TITLE'],
      row: (t) => [t.id, stateCell(output.style, t.status), String(t.priority), terminalSafe(shortLine(t.title, TITLE_WIDTH))],
      empty: `No tasks. Create one with: ${forgecore('task create --project <projectId> --title <title>')}`,
      next: (cursor) =>
        forgecore(
          'task list',
          flags.project && `--project ${shellWord(flags.project)}`,
          ...(flags.status ?? []).map((s) => `--status ${s}`),
          flags.limit && `--limit ${shellWord(flags.limit)}`,
          `--cursor ${shellWord(cursor)}`,
        ),
    });
  },
});

export const taskShow = defineCommand({
  noun: 'task',
  verb: 'show',
  summary: 'Show a task and its attempts',
  args: ['<taskId>'],
  flags: { ...JSON_FLAG },
  example: 'forgecore task show 0190f1c3-…',
  async run({ api, output, forgecore }, { args, flags }) {
    const id = encodeURIComponent(args[0]!);
    const task = await api().call<Task & { dependencies?: { total: number; waitingOn: number } }>('GET', `/tasks/${id}`, { expect: TASK_FIELDS });
    if (flags.json) {
      output.json(task);
      return 0;
    }
    const attempts = await api().call<{ items: AttemptView[] }>('GET', `/tasks/${id}/attempts`, { expect: LIST_FIELDS });
    const { style } = output;
    output.print(
      fieldList([
        ['ID', task.id],
        ['Title', terminalSafe(task.title)],
        ['Status', paintState(style, task.status)],
        ['Project', task.projectId],
        ['Priority', String(task.priority)],
        ['Parent', task.parentTaskId],
        ['Waits on', task.dependencies?.total ? `${task.dependencies.waitingOn} of ${task.dependencies.total} tasks not done` : null],
        ['Blocked', task.blockedReason && terminalSafe(task.blockedReason)],
        ['Created', task.createdAt],
        ['Description', task.description && terminalSafe(task.description)],
      ]),
    );
    output.print('');
    output.print(
      attempts.items.length === 0
        ? `No attempts yet. Start one with: ${forgecore('attempt start', task.id, '--executor <id>')}`
        : table(
            ['ATTEMPT', 'STATE', 'EXECUTOR', 'BRANCH', 'CREATED'],
            attempts.items.map((a) => [a.id, stateCell(style, a.state), a.executor.id, a.branch, a.createdAt]),
          ),
    );
    return 0;
  },
});

export const taskUpdate = defineCommand({
  noun: 'task',
  verb: 'update',
  summary: "Change a task's title, description, status, priority or parent",
  args: ['<taskId>'],
  flags: {
    title: { type: 'string', value: '<title>', description: 'a new title' },
    description: { type: 'string', value: '<text>', description: 'a new description ("" removes it)' },
    status: { type: 'string', value: '<status>', choices: TASK_STATUSES, description: 'a new status; done or cancelled stops its attempts and removes their worktrees' },
    priority: PRIORITY,
    parent: { type: 'string', value: '<taskId>', description: 'make it a subtask of this task ("" makes it a top-level task)' },
    ...JSON_FLAG,
  },
  example: 'forgecore task update 0190f1c3-… --status cancelled',
  async run({ api, output, name: command }, { args, flags }) {
    const changes = {
      title: flags.title,
      description: flags.description,
      status: flags.status,
      priority: integerFlag(command, 'priority', flags.priority, -1000, 1000),
      parentTaskId: flags.parent === '' ? null : flags.parent,
    };
    if (Object.values(changes).every((value) => value === undefined)) {
      throw new UsageError('nothing to change: give --title, --description, --status, --priority or --parent', command);
    }
    const task = await api().call<Task>('PATCH', `/tasks/${encodeURIComponent(args[0]!)}`, { body: changes, expect: TASK_FIELDS });
    if (flags.json) output.json(task);
    else output.print(`Updated task ${task.id}: ${paintState(output.style, task.status)}, ${terminalSafe(shortLine(task.title, TITLE_WIDTH))}`);
    return 0;
  },
});

export const taskDelete = defineCommand({
  noun: 'task',
  verb: 'delete',
  summary: 'Delete a task: stops its attempts, removes their worktrees and branches',
  args: ['<taskId>'],
  flags: {},
  example: 'forgecore task delete 0190f1c3-…',
  async run({ api, output }, { args }) {
    await api().call('DELETE', `/tasks/${encodeURIComponent(args[0]!)}`, { expect: 'nothing' });
    output.print(`Deleted task ${args[0]}.`);
    return 0;
  },
});
