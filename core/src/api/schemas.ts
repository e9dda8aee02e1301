import Joi from 'joi';
import { ATTEMPT_STATES } from '../store/attempt-store.ts';
import { ID_PATTERN } from '../store/ids.ts';
import { CURSOR_PATTERN } from '../store/page.ts';
import { PROCESS_KINDS, PROCESS_STATUSES } from '../store/process-store.ts';
import { TASK_STATUSES } from '../store/task-store.ts';
import { APPROVAL_STATES } from '../store/approval-store.ts';
import { DELIVERY_STATES } from '../lifecycle/webhook-delivery-lifecycle.ts';

/** Shared request and response schemas: the validators, and the source of spec/openapi.json. */

export const id = (name: string) =>
  // Lower-cased first: a UUID is the same in capitals, and ids are stored in lower case.
  Joi.string()
    .lowercase()
    .pattern(ID_PATTERN)
    .description(`${name} id (UUIDv7)`)
    .messages({ 'string.pattern.base': `{{#label}} must be the id of ${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name} (a UUID)` });

export const cursor = Joi.string().pattern(CURSOR_PATTERN).description('nextCursor of the previous page');
export const limit = (max: number, fallback: number) => Joi.number().integer().min(1).max(max).default(fallback);

// git's own check runs too; this keeps obviously hostile names ("-x", "a..b", spaces) out early.
export const branch = Joi.string()
  .max(255)
  .pattern(/^(?!-)(?!.*\.\.)(?!.*\/\/)(?!\/)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9._/-]+$/)
  .messages({ 'string.pattern.base': '{#label} must be a valid git branch name' });

export const taskStatus = Joi.string().valid(...TASK_STATUSES);

export const timestamp = Joi.string().isoDate();
const nullableText = Joi.string().allow(null);

export const errorBody = Joi.object({
  error: Joi.object({
    code: Joi.string().required(),
    message: Joi.string().required(),
    details: Joi.any(),
  }).required(),
}).label('Error');

export const projectModel = Joi.object({
  id: Joi.string().required(),
  name: Joi.string().required(),
  repoPath: Joi.string().required(),
  remoteUrl: nullableText.required(),
  defaultBranch: Joi.string().required(),
  setupScript: nullableText.required(),
  cleanupScript: nullableText.required(),
  devScript: nullableText.required(),
  maxConcurrentAttempts: Joi.number().integer().allow(null).required(),
  worktreePoolSize: Joi.number().integer().allow(null).required().description("ready worktrees kept for its next attempts; null: the server's FORGE_WORKTREE_POOL_SIZE"),
  gitProvider: Joi.string().allow(null).required(),
  gitProviderApiUrl: Joi.string().allow(null).required(),
  pullRequestReactions: Joi.object({
    ciFailure: Joi.boolean().required(),
    reviewComments: Joi.boolean().required(),
    maxFollowUps: Joi.number().integer().required(),
  })
    .allow(null)
    .required()
    .label('PullRequestReactionSettings'),
  defaultExecutor: Joi.string().allow(null).required().description('the executor its autoStart tasks start with'),
  defaultProfile: Joi.string().allow(null).required().description('the executor profile its autoStart tasks start with'),
  autoMerge: Joi.boolean().required().description("an autoStart task's succeeded attempt is merged into its base at once"),
  createdAt: timestamp.required(),
  updatedAt: timestamp.required(),
}).label('Project');

export const taskModel = Joi.object({
  id: Joi.string().required(),
  projectId: Joi.string().required(),
  title: Joi.string().required(),
  description: nullableText.required(),
  status: Joi.string()
    .valid(...TASK_STATUSES)
    .required(),
  priority: Joi.number().integer().required(),
  parentTaskId: nullableText.required(),
  autoStart: Joi.boolean().required(),
  blockedReason: nullableText
    .required()
    .description('why its dependency chain stopped: a dependency failed or was cancelled, or it could not be started or merged by itself; null otherwise'),
  dependencies: Joi.object({
    total: Joi.number().integer().min(0).required().description('how many tasks it waits on'),
    waitingOn: Joi.number().integer().min(0).required().description('how many of them are not done: while any is, it is blocked'),
  })
    .label('DependencyCounts')
    .description('only on GET /tasks and GET /tasks/{id}, while the dependencies feature is on'),
  subtasks: Joi.object(Object.fromEntries(TASK_STATUSES.map((status) => [status, Joi.number().integer().min(0).required()])))
    .label('SubtaskCounts')
    .description('how many of its direct subtasks are in each status; only on GET /tasks/{id}'),
  createdAt: timestamp.required(),
  updatedAt: timestamp.required(),
}).label('Task');

export const attemptModel = Joi.object({
  id: Joi.string().required(),
  taskId: Joi.string().required(),
  executor: Joi.object({
    id: Joi.string().required(),
    package: Joi.string().required(),
    version: Joi.string().required(),
    contractVersion: Joi.string().required(),
  }).required(),
  options: Joi.object().unknown(true).required(),
  prompt: Joi.string().allow('').required(),
  followUpPrompt: nullableText.required(),
  branch: Joi.string().required(),
  baseBranch: Joi.string().required(),
  worktreePath: nullableText.required(),
  state: Joi.string()
    .valid(...ATTEMPT_STATES)
    .required(),
  agentSessionId: nullableText.required(),
  nodeId: nullableText.required(),
  leaseUntil: nullableText.required(),
  fencingToken: Joi.number().integer().required(),
  error: Joi.object({
    code: Joi.string().required(),
    message: Joi.string().allow('').required(),
    retryAt: timestamp.description('when it runs again (a rate limit or quota: the attempt waits queued until then), or when the agent said it may be tried again'),
  })
    .allow(null)
    .required(),
  retries: Joi.number().integer().min(0).required().description('how many times a rate limit or quota sent this run back to the queue'),
  mergeCommit: nullableText.required(),
  createdAt: timestamp.required(),
  updatedAt: timestamp.required(),
  startedAt: timestamp.allow(null).required().description('when the current run was claimed'),
  worktreeReadyAt: timestamp.allow(null).required().description("when the current run's worktree was ready"),
  agentStartedAt: timestamp.allow(null).required().description("when the current run's agent was started"),
  finishedAt: timestamp.allow(null).required(),
  queuePosition: Joi.number()
    .integer()
    .min(1)
    .allow(null)
    .description('while queued, its place in the order attempts start in (1: next; priority, then first queued); only on GET /attempts/{id}'),
  pullRequest: Joi.object({
    number: Joi.number().integer().required(),
    url: Joi.string().required(),
    state: Joi.string().valid('open', 'closed', 'merged').required(),
    checks: Joi.string().valid('none', 'pending', 'success', 'failure').allow(null).required(),
  })
    .allow(null)
    .label('AttemptPullRequest')
    .description('its pull request, when one was opened (GET /attempts/{id}/pull-request has the rest); only on GET /attempts/{id}'),
}).label('Attempt');

export const processModel = Joi.object({
  id: Joi.string().required(),
  attemptId: Joi.string().required(),
  kind: Joi.string()
    .valid(...PROCESS_KINDS)
    .required(),
  status: Joi.string()
    .valid(...PROCESS_STATUSES)
    .required(),
  pid: Joi.number().integer().allow(null).required(),
  exitCode: Joi.number().integer().allow(null).required(),
  error: nullableText.required(),
  startedAt: timestamp.required(),
  finishedAt: timestamp.allow(null).required(),
}).label('Process');

export const logEntryModel = Joi.object({
  seq: Joi.number().integer().min(1).required(),
  processId: Joi.string().required(),
  ts: timestamp.required(),
  kind: Joi.string().required().description('the executor event type (message, tool_call, log, done, …)'),
  payload: Joi.object().unknown(true).required(),
}).label('LogEntry');

export const pageOf = (item: Joi.ObjectSchema, label: string) =>
  Joi.object({ items: Joi.array().items(item).required(), nextCursor: Joi.string().allow(null).required() }).label(label);

export const approvalState = Joi.string().valid(...APPROVAL_STATES);

export const webhookDeliveryState = Joi.string().valid(...DELIVERY_STATES);
