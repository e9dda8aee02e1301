import Joi from 'joi';
import type { AttemptService } from '../../orchestrator/attempt-service.ts';
import type { BranchService } from '../../orchestrator/branch-service.ts';
import { attemptModel, branch, id, processModel } from '../schemas.ts';
import { approvalModel } from './approvals.ts';
import { defineOperation } from './operation.ts';

const taskPath = Joi.object({ taskId: id('task').required() });
const path = Joi.object({ attemptId: id('attempt').required() });
const prompt = Joi.string().min(1).max(200_000);
const tags = ['attempts'];
const reopen = Joi.boolean().strict().description('work on a done or cancelled task again, moving it back to inprogress; without it such a task answers 409 FORGE_TASK_CLOSED');

const diffModel = Joi.object({
  baseBranch: Joi.string().required(),
  baseCommit: Joi.string().required(),
  headCommit: Joi.string().required(),
  includesWorkingTree: Joi.boolean().required(),
  files: Joi.array()
    .items(
      Joi.object({
        path: Joi.string().required(),
        oldPath: Joi.string().allow(null).required(),
        change: Joi.string().valid('added', 'modified', 'deleted', 'renamed', 'copied', 'type-changed').required(),
        additions: Joi.number().integer().required(),
        deletions: Joi.number().integer().required(),
        binary: Joi.boolean().required(),
      }).label('DiffFile'),
    )
    .required(),
  patch: Joi.string().allow('').required(),
  truncated: Joi.boolean().required(),
}).label('AttemptDiff');

type TaskId = { taskId: string };
type AttemptId = { attemptId: string };
export type StartAttemptInput = TaskId & Parameters<AttemptService['start']>[1];
export type FollowUpInput = AttemptId & Parameters<AttemptService['followUp']>[1];
export type PushInput = AttemptId & { branch?: Parameters<BranchService['push']>[1] };

export const postTasksByTaskIdAttempts = defineOperation({
  kind: 'call',
  name: 'postTasksByTaskIdAttempts',
  mcp: { tool: "start_attempt", title: "Start an agent on a task", description:
    "Start an attempt: an agent (executor, see list_executors, or a profile, see list_executor_profiles) works on the task in its own git worktree and branch, from baseBranch (default: the project's default branch). It is queued at once and runs when capacity allows; a task still waiting on dependencies that are not done is refused (FORGE_TASK_BLOCKED, naming them). Returns the attempt, with a link to its log resource; next, wait_for_attempt (or read_attempt_log) until it finishes, then get_attempt_diff and merge_attempt." },
  summary:
    'Start an attempt: queued at once (202), run in its own worktree when capacity allows. On a done or cancelled task only with reopen: true (409 FORGE_TASK_CLOSED otherwise); a task waiting on dependencies not done yet answers 409 FORGE_TASK_BLOCKED naming them',
  tags,
  http: { method: 'POST', path: '/tasks/{taskId}/attempts', status: 202 },
  input: {
    path: taskPath,
    body: Joi.object({
      executor: Joi.string().max(64).description('executor id, see GET /executors; may be left out when profile names one'),
      profile: Joi.string().max(64).description('an executor profile (GET /executor-profiles) whose options the attempt starts from'),
      options: Joi.object().unknown(true).description("the executor's options, see GET /executors; with a profile, these override its options"),
      baseBranch: branch.description("defaults to the project's default branch"),
      prompt: prompt.description("defaults to the task's title and description"),
      reopen: reopen,
    })
      .or('executor', 'profile')
      .label('StartAttempt'),
  },
  output: attemptModel,
  errors: [
    'FORGE_VALIDATION_FAILED',
    'FORGE_NOT_FOUND',
    'FORGE_REPOSITORY_MISSING',
    'FORGE_EXECUTOR_NOT_FOUND',
    'FORGE_EXECUTOR_UNAVAILABLE',
    'FORGE_PROFILE_NOT_FOUND',
    'FORGE_BRANCH_NOT_FOUND',
    'FORGE_SECRETS_UNAVAILABLE',
    'FORGE_TASK_CLOSED',
    'FORGE_TASK_BLOCKED',
  ],
  handler: ({ taskId, ...start }: StartAttemptInput, { services }) => services.attempts.start(taskId, start),
});

export const getTasksByTaskIdAttempts = defineOperation({
  kind: 'call',
  name: 'getTasksByTaskIdAttempts',
  mcp: { tool: "list_attempts", title: "List a task's attempts", description:
    "List a task's attempts, oldest first, with their state (queued, preparing, running, succeeded, failed, cancelled), executor and branch. get_attempt_diff and read_attempt_log tell what one did." },
  summary: "List a task's attempts, oldest first",
  tags,
  http: { method: 'GET', path: '/tasks/{taskId}/attempts', status: 200 },
  input: { path: taskPath },
  output: Joi.object({ items: Joi.array().items(attemptModel).required() }).label('AttemptList'),
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND'],
  handler: async ({ taskId }: TaskId, { services }) => ({ items: await services.attempts.listByTask(taskId) }),
});

export const getAttemptsByAttemptId = defineOperation({
  kind: 'call',
  name: 'getAttemptsByAttemptId',
  mcp: { tool: "get_attempt", title: "Get an attempt", description:
    "Get one attempt: its state, executor, branch, worktree, error (when it failed), merge commit (when merged) and pull request (when opened). To wait for it to change, use wait_for_attempt instead of calling this in a loop." },
  summary: 'Get an attempt',
  tags,
  http: { method: 'GET', path: '/attempts/{attemptId}', status: 200 },
  input: { path },
  output: attemptModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND'],
  handler: async ({ attemptId }: AttemptId, { services }) => ({
    ...(await services.attempts.get(attemptId)),
    queuePosition: await services.attempts.queuePosition(attemptId),
    pullRequest: await services.pullRequests.summary(attemptId),
  }),
});

export const postAttemptsByAttemptIdStop = defineOperation({
  kind: 'call',
  name: 'postAttemptsByAttemptIdStop',
  mcp: { tool: "stop_attempt", title: "Stop an attempt", description:
    "Stop a queued or running attempt: its agent is told to stop and then killed; the attempt ends cancelled, its work so far committed on its branch. Returns the attempt." },
  summary: 'Stop an attempt: kills its processes; it ends cancelled (failed with FORGE_COMMIT_FAILED when its work cannot be committed)',
  tags,
  http: { method: 'POST', path: '/attempts/{attemptId}/stop', status: 200 },
  input: { path },
  output: attemptModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND', 'FORGE_INVALID_TRANSITION'],
  handler: ({ attemptId }: AttemptId, { services }) => services.attempts.stop(attemptId),
});

export const postAttemptsByAttemptIdFollowUp = defineOperation({
  kind: 'call',
  name: 'postAttemptsByAttemptIdFollowUp',
  mcp: { tool: "follow_up", title: "Send a follow-up to an attempt's agent", description:
    "Run the agent of a finished attempt again in the same worktree with a new prompt, resuming its session (for example to fix what the diff or a review showed). Returns the attempt, queued again; then wait_for_attempt as after start_attempt." },
  summary:
    "Run the agent again in the same worktree, resuming its session (202). A merged attempt's work is final (409 FORGE_ALREADY_MERGED: start a new attempt); on a done or cancelled task, send reopen: true",
  tags,
  http: { method: 'POST', path: '/attempts/{attemptId}/follow-up', status: 202 },
  input: { path, body: Joi.object({ prompt: prompt.required(), reopen }).label('FollowUp') },
  output: attemptModel,
  errors: [
    'FORGE_VALIDATION_FAILED',
    'FORGE_NOT_FOUND',
    'FORGE_INVALID_TRANSITION',
    'FORGE_ALREADY_MERGED',
    'FORGE_TASK_CLOSED',
    'FORGE_REPOSITORY_MISSING',
  ],
  handler: ({ attemptId, ...followUp }: FollowUpInput, { services }) => services.attempts.followUp(attemptId, followUp),
});

export const getAttemptsByAttemptIdDiff = defineOperation({
  kind: 'call',
  name: 'getAttemptsByAttemptIdDiff',
  mcp: { tool: "get_attempt_diff", title: "See what an attempt changed", description:
    "The attempt's changes against its base branch: the files with added and deleted line counts and, unless includePatch is false, a unified patch (cut short past a size limit: truncated tells). Use includePatch false for a summary first." },
  summary: "The attempt's changes against the merge base with its base branch: files and a unified patch",
  tags,
  http: { method: 'GET', path: '/attempts/{attemptId}/diff', status: 200 },
  input: {
    path,
    query: Joi.object({
      includePatch: Joi.boolean().default(true).description('false: only the files and their line counts, with an empty patch'),
    }),
  },
  output: diffModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND', 'FORGE_CONFLICT', 'FORGE_REPOSITORY_MISSING', 'FORGE_BRANCH_NOT_FOUND'],
  handler: async ({ attemptId, includePatch }: AttemptId & { includePatch: boolean }, { services }) => {
    const diff = await services.branches.diff(attemptId);
    return includePatch ? diff : { ...diff, patch: '', truncated: false };
  },
});

export const postAttemptsByAttemptIdRebase = defineOperation({
  kind: 'call',
  name: 'postAttemptsByAttemptIdRebase',
  mcp: { tool: "rebase_attempt", title: "Rebase an attempt on its base", description:
    "Rebase the attempt's branch onto the current base branch, e.g. after other work was merged. Refused with FORGE_MERGE_CONFLICT and the conflicting files when it cannot (nothing is changed then: a follow_up can resolve them)." },
  summary: 'Rebase the attempt branch onto its base; 409 with the conflicting files if it cannot (nothing is changed then)',
  tags,
  http: { method: 'POST', path: '/attempts/{attemptId}/rebase', status: 200 },
  input: { path },
  output: Joi.object({ baseCommit: Joi.string().required(), headCommit: Joi.string().required() }).label('RebaseResult'),
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND', 'FORGE_CONFLICT', 'FORGE_MERGE_CONFLICT', 'FORGE_REPOSITORY_MISSING', 'FORGE_BRANCH_NOT_FOUND'],
  handler: ({ attemptId }: AttemptId, { services }) => services.branches.rebase(attemptId),
});

export const postAttemptsByAttemptIdMerge = defineOperation({
  kind: 'call',
  name: 'postAttemptsByAttemptIdMerge',
  mcp: { tool: "merge_attempt", title: "Merge an attempt", description:
    "Squash-merge a finished attempt's branch into its base branch and mark the task done. Refused with FORGE_MERGE_CONFLICT when the base moved and conflicts (rebase_attempt or a follow_up first). Returns the merge commit; next, push_attempt with branch base to publish it, or start the next task." },
  summary:
    'Squash-merge the attempt into its base branch and close the task; 409 FORGE_MERGE_CONFLICT when the base moved and conflicts, FORGE_ALREADY_MERGED when it was merged before',
  tags,
  http: { method: 'POST', path: '/attempts/{attemptId}/merge', status: 200 },
  input: { path },
  output: Joi.object({ mergeCommit: Joi.string().required(), baseBranch: Joi.string().required() }).label('MergeResult'),
  errors: [
    'FORGE_VALIDATION_FAILED',
    'FORGE_NOT_FOUND',
    'FORGE_CONFLICT',
    'FORGE_ALREADY_MERGED',
    'FORGE_MERGE_CONFLICT',
    'FORGE_NOTHING_TO_MERGE',
    'FORGE_REPOSITORY_MISSING',
    'FORGE_BRANCH_NOT_FOUND',
    'FORGE_LOCK_TIMEOUT',
  ],
  handler: ({ attemptId }: AttemptId, { services }) => services.branches.merge(attemptId),
});

export const postAttemptsByAttemptIdPush = defineOperation({
  kind: 'call',
  name: 'postAttemptsByAttemptIdPush',
  mcp: { tool: "push_attempt", title: "Push an attempt's branch", description:
    "Push to origin the attempt's branch (default) or, with branch base, its base branch after a merge (fast-forward only: FORGE_PUSH_REJECTED when origin moved). Returns what was pushed and the commit origin now has." },
  summary:
    "Push to origin the attempt's branch (default) or, with {\"branch\":\"base\"}, its base branch, e.g. after a merge; the base only as a fast-forward (409 FORGE_PUSH_REJECTED when origin's base moved)",
  tags,
  http: { method: 'POST', path: '/attempts/{attemptId}/push', status: 200 },
  input: {
    path,
    // The body is optional: no body pushes the attempt's branch, as before it had one.
    body: Joi.object({
      branch: Joi.string().valid('attempt', 'base').default('attempt').description("which branch: the attempt's own, or the base it merges into"),
    })
      .allow(null)
      .label('PushRequest'),
  },
  output: Joi.object({
    remote: Joi.string().required().description("origin, or the project's remote URL when the push carried the code host's token"),
    pushed: Joi.string().valid('attempt', 'base').required().description('which branch was pushed'),
    branch: Joi.string().required().description('its name, the same on origin'),
    commit: Joi.string().required().description('the commit origin now has there'),
  }).label('PushResult'),
  errors: [
    'FORGE_VALIDATION_FAILED',
    'FORGE_NOT_FOUND',
    'FORGE_CONFLICT',
    'FORGE_PUSH_REJECTED',
    'FORGE_REPOSITORY_MISSING',
    'FORGE_UNPROCESSABLE',
    'FORGE_BRANCH_NOT_FOUND',
    'FORGE_PUSH_FAILED',
  ],
  handler: ({ attemptId, branch: target }: PushInput, { services }) => services.branches.push(attemptId, target),
});

export const getAttemptsByAttemptIdProcesses = defineOperation({
  kind: 'call',
  name: 'getAttemptsByAttemptIdProcesses',
  mcp: { notATool: "bookkeeping of the setup, agent, cleanup and dev processes; get_attempt and read_attempt_log tell an agent what it needs" },
  summary: "The attempt's processes (setup, agent, cleanup, dev), oldest first",
  tags,
  http: { method: 'GET', path: '/attempts/{attemptId}/processes', status: 200 },
  input: { path },
  output: Joi.object({ items: Joi.array().items(processModel).required() }).label('ProcessList'),
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND'],
  handler: async ({ attemptId }: AttemptId, { services }) => ({ items: await services.attempts.processes(attemptId) }),
});

export const getAttemptsByAttemptIdWait = defineOperation({
  kind: 'call',
  name: 'getAttemptsByAttemptIdWait',
  mcp: { tool: "wait_for_attempt", title: "Wait for an attempt", description:
    "Wait until an attempt finishes (outcome finished: succeeded, failed or cancelled), or its agent asks for an approval (outcome approval: answer pendingApprovals with answer_approval, then wait again), or timeoutSeconds pass (outcome timeout: wait again). Sends progress notifications while the agent works. Returns the attempt; after finished, read_attempt_log and get_attempt_diff tell what it did." },
  summary:
    'Wait (long poll, up to timeoutSeconds) until the attempt finishes or its agent asks for an approval; answers at once when either is already so. outcome says which, or timeout',
  tags,
  http: { method: 'GET', path: '/attempts/{attemptId}/wait', status: 200 },
  input: {
    path,
    query: Joi.object({ timeoutSeconds: Joi.number().integer().min(0).max(600).default(30).description('how long to wait at most; 0 answers at once') }),
  },
  output: Joi.object({
    attempt: attemptModel.required(),
    outcome: Joi.string().valid('finished', 'approval', 'timeout').required(),
    pendingApprovals: Joi.array().items(approvalModel).required().description("the attempt's approvals waiting for an answer"),
  }).label('AttemptWait'),
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND'],
  handler: ({ attemptId, timeoutSeconds }: AttemptId & { timeoutSeconds: number }, { services, signal, progress }) =>
    services.waiter.wait(attemptId, {
      timeoutMs: timeoutSeconds * 1000,
      signal,
      onProgress: progress && ((count, message) => progress({ progress: count, message })),
    }),
});

export const attemptOperations = [
  postTasksByTaskIdAttempts,
  getTasksByTaskIdAttempts,
  getAttemptsByAttemptId,
  postAttemptsByAttemptIdStop,
  postAttemptsByAttemptIdFollowUp,
  getAttemptsByAttemptIdDiff,
  postAttemptsByAttemptIdRebase,
  postAttemptsByAttemptIdMerge,
  postAttemptsByAttemptIdPush,
  getAttemptsByAttemptIdProcesses,
  getAttemptsByAttemptIdWait,
];
