import type { ExecutorEvent } from '@forge-core/sdk';
import type { LogEntryView } from '../../orchestrator/log-service.ts';
import type { ExecutorView } from '../../plugins/pack-overview.ts';
import type { ApprovalRecord, ApprovalState } from '../../store/approval-store.ts';
import type { Attempt, AttemptState } from '../../store/attempt-store.ts';
import type { Project } from '../../store/project-store.ts';
import type { Task, TaskStatus } from '../../store/task-store.ts';

/*
 * The JSON the REST API answers with, as the client reads it. Types only, from the server's own
 * definitions, so the two cannot drift: nothing here is loaded at run time, and the client stays
 * free of the server's modules.
 */

export type { Project, Task, TaskStatus, AttemptState, ApprovalState };
export type Approval = ApprovalRecord;
export type Executor = ExecutorView;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** GET /attempts/{id} adds where it waits in the queue and its pull request. */
export type AttemptView = Attempt & {
  queuePosition?: number | null;
  pullRequest?: { number: number; url: string; state: string; checks: string | null } | null;
};

export type LogEntry = LogEntryView;

export interface LogPage {
  items: LogEntry[];
  nextAfter: number | null;
}

/** An entry's kind with its payload: an executor event, or one the host writes (an approval's answer). */
export type LogEvent = ExecutorEvent | { type: 'approval_result'; requestId: string; state: ApprovalState; scope: string | null; by: string | null; reason: string | null };

export interface AttemptDiff {
  baseBranch: string;
  baseCommit: string;
  headCommit: string;
  includesWorkingTree: boolean;
  files: { path: string; oldPath: string | null; change: string; additions: number; deletions: number; binary: boolean }[];
  patch: string;
  truncated: boolean;
}

/** Kept in step with the server's own lists by the compiler: a state added there fails here until it is named. */
export const TASK_STATUSES = Object.keys({ todo: 1, inprogress: 1, inreview: 1, done: 1, cancelled: 1 } satisfies Record<TaskStatus, 1>) as TaskStatus[];
export const APPROVAL_STATES = Object.keys({ pending: 1, approved: 1, denied: 1, expired: 1, cancelled: 1 } satisfies Record<ApprovalState, 1>) as ApprovalState[];
export const FINISHED_STATES: readonly AttemptState[] = ['succeeded', 'failed', 'cancelled'];

/*
 * Fields by which each answer is known as Forge Core's (ForgeClient.call checks that they are
 * there): another server may answer JSON too, and a field read that it lacks would fail far
 * from the cause. Typed against the answers, so a renamed field fails the compiler here.
 */
export const PAGE_FIELDS = ['items', 'nextCursor'] as const satisfies readonly (keyof Page<unknown>)[];
export const LIST_FIELDS = ['items'] as const satisfies readonly (keyof Page<unknown>)[];
export const LOG_PAGE_FIELDS = ['items', 'nextAfter'] as const satisfies readonly (keyof LogPage)[];
export const PROJECT_FIELDS = ['id', 'name', 'repoPath', 'defaultBranch'] as const satisfies readonly (keyof Project)[];
export const TASK_FIELDS = ['id', 'projectId', 'title', 'status'] as const satisfies readonly (keyof Task)[];
export const ATTEMPT_FIELDS = ['id', 'taskId', 'state', 'executor', 'branch'] as const satisfies readonly (keyof AttemptView)[];
export const APPROVAL_FIELDS = ['id', 'attemptId', 'state', 'tool'] as const satisfies readonly (keyof Approval)[];
export const DIFF_FIELDS = ['files', 'baseBranch', 'baseCommit', 'headCommit', 'patch'] as const satisfies readonly (keyof AttemptDiff)[];
