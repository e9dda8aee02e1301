import { approvalsApprove, approvalsDeny, approvalsList } from './approval-commands.ts';
import { attemptDiff, attemptFollowUp, attemptList, attemptMerge, attemptPush, attemptRebase, attemptShow, attemptStart, attemptStop } from './attempt-commands.ts';
import type { ClientCommand } from './client-command.ts';
import { completionCommandOf } from './completion-command.ts';
import { executors } from './executors-command.ts';
import { logs } from './logs-command.ts';
import { projectAdd, projectList, projectShow } from './project-commands.ts';
import { taskCreate, taskDelete, taskList, taskShow, taskUpdate } from './task-commands.ts';

/** A first word of the command line and the commands under it (one, with no verb, for `logs`). */
export interface Noun {
  name: string;
  summary: string;
  commands: readonly ClientCommand[];
}

const commands = (...list: ClientCommand<any>[]) => list as readonly ClientCommand[];
// It completes every command here, so it reads the list when it runs, not when it is made.
const completion = completionCommandOf(() => CLIENT_NOUNS);

/** Every command that works with a running server, in the order the help lists them. */
export const CLIENT_NOUNS: readonly Noun[] = [
  { name: 'project', summary: 'Register git repositories as projects and list them', commands: commands(projectAdd, projectList, projectShow) },
  { name: 'task', summary: 'Create, list, show, change and delete tasks', commands: commands(taskCreate, taskList, taskShow, taskUpdate, taskDelete) },
  {
    name: 'attempt',
    summary: 'Start agents on tasks, follow them, see and merge what they did',
    commands: commands(attemptStart, attemptList, attemptShow, attemptStop, attemptFollowUp, attemptDiff, attemptRebase, attemptMerge, attemptPush),
  },
  { name: 'logs', summary: logs.summary, commands: commands(logs) },
  { name: 'approvals', summary: 'List and answer what agents ask approval for', commands: commands(approvalsList, approvalsApprove, approvalsDeny) },
  { name: 'executors', summary: executors.summary, commands: commands(executors) },
  { name: 'completion', summary: completion.summary, commands: commands(completion) },
];

export function clientNoun(name: string): Noun | undefined {
  return CLIENT_NOUNS.find((noun) => noun.name === name);
}
