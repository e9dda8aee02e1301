import { EXECUTOR_ID_PATTERN } from '@forge-core/sdk';
import Joi from 'joi';
import type { OpenPullRequestInput } from '../../orchestrator/pull-request-service.ts';
import { id, timestamp } from '../schemas.ts';
import { defineOperation } from './operation.ts';

const path = Joi.object({ attemptId: id('attempt').required() });
const tags = ['pull requests'];
type AttemptId = { attemptId: string };

const checkModel = Joi.object({
  name: Joi.string().required(),
  state: Joi.string().valid('pending', 'success', 'failure', 'skipped').required(),
  url: Joi.string(),
  summary: Joi.string().allow('').description("what the host says about a failure: a job log's tail, a check's output"),
}).label('PullRequestCheck');

const errorModel = Joi.object({ code: Joi.string().required(), message: Joi.string().allow('').required() }).label('PullRequestError');

export const pullRequestModel = Joi.object({
  attemptId: Joi.string().required(),
  provider: Joi.string().required().description('the git provider id, see GET /git-providers'),
  host: Joi.string().required(),
  repository: Joi.string().required().description('owner/repo (GitLab: group/subgroup/project)'),
  number: Joi.number().integer().required(),
  url: Joi.string().required().description("the pull request's page on the host"),
  state: Joi.string().valid('open', 'closed', 'merged').required(),
  draft: Joi.boolean().required(),
  title: Joi.string().allow('').required(),
  head: Joi.string().required(),
  base: Joi.string().required(),
  headSha: Joi.string().allow(null).required(),
  checks: Joi.object({
    state: Joi.string().valid('none', 'pending', 'success', 'failure').required(),
    sha: Joi.string().allow('').required(),
    items: Joi.array().items(checkModel).required(),
  })
    .allow(null)
    .required()
    .label('PullRequestChecks'),
  reviewCommentsSeen: Joi.number().integer().required(),
  reactions: Joi.object({
    enabled: Joi.boolean().required(),
    used: Joi.number().integer().required().description('follow-ups sent for failed checks and review comments'),
    max: Joi.number().integer().required(),
    pending: Joi.string().valid('checks', 'review').allow(null).required().description('a follow-up runs; its work is pushed when it ends'),
    budgetSpentAt: timestamp.allow(null).required().description('when a reaction was due but the follow-ups were spent: a person must look'),
  })
    .required()
    .label('PullRequestReactionState'),
  lastError: errorModel.allow(null).required().description("the last poll's failure, cleared by the next good one"),
  polledAt: timestamp.allow(null).required(),
  nextPollAt: timestamp.required(),
  createdAt: timestamp.required(),
  updatedAt: timestamp.required(),
}).label('PullRequest');

const PROVIDER_ERRORS = [
  'FORGE_PROVIDER_NOT_CONFIGURED',
  'FORGE_PROVIDER_AUTH_FAILED',
  'FORGE_PROVIDER_NOT_FOUND',
  'FORGE_PROVIDER_CONFLICT',
  'FORGE_PROVIDER_REJECTED',
  'FORGE_PROVIDER_RATE_LIMITED',
  'FORGE_PROVIDER_FAILED',
  'FORGE_PLUGIN_HOOK_FAILED',
  'FORGE_PLUGIN_HOOK_TIMEOUT',
] as const;

export const postAttemptsByAttemptIdPullRequest = defineOperation({
  kind: 'call',
  name: 'postAttemptsByAttemptIdPullRequest',
  mcp: {
    tool: 'open_pull_request',
    title: 'Open a pull request for an attempt',
    description:
      "Push a finished attempt's branch to origin and open a pull request (merge request on GitLab) from it into its base branch on the project's code host; title from the task unless given, description from the task and the agent's commits. Idempotent: an attempt has at most one, and calling again returns it. Forge then follows it: checks, review comments and, when the host merges it, the task moves to done. Read it again with get_pull_request.",
  },
  summary:
    "Push the attempt's branch and open its pull request on the project's code host; idempotent (a second call answers the same pull request). Needs a token for the host (GET /git-providers)",
  tags,
  http: { method: 'POST', path: '/attempts/{attemptId}/pull-request', status: 200 },
  input: {
    path,
    body: Joi.object({
      title: Joi.string().trim().min(1).max(256).description("default: the task's title"),
      body: Joi.string().max(50_000).allow('').description('text put before the generated description'),
      draft: Joi.boolean().strict().default(false).description('open it as a draft, where the host has drafts'),
    })
      .allow(null)
      .label('OpenPullRequest'),
  },
  output: pullRequestModel,
  errors: [
    'FORGE_VALIDATION_FAILED',
    'FORGE_NOT_FOUND',
    'FORGE_CONFLICT',
    'FORGE_ALREADY_MERGED',
    'FORGE_NOTHING_TO_MERGE',
    'FORGE_BRANCH_NOT_FOUND',
    'FORGE_REPOSITORY_MISSING',
    'FORGE_UNPROCESSABLE',
    'FORGE_PUSH_REJECTED',
    'FORGE_PUSH_FAILED',
    ...PROVIDER_ERRORS,
  ],
  handler: ({ attemptId, ...input }: AttemptId & OpenPullRequestInput, { services }) => services.pullRequests.open(attemptId, input),
});

export const getAttemptsByAttemptIdPullRequest = defineOperation({
  kind: 'call',
  name: 'getAttemptsByAttemptIdPullRequest',
  mcp: {
    tool: 'get_pull_request',
    title: "Get an attempt's pull request",
    description:
      "Get the pull request open_pull_request opened for an attempt, as Forge last read it from the host: state (open, closed, merged), URL, head commit, CI checks with failure summaries, review comments seen, and what the reactions (follow-ups for failed checks and comments) did. FORGE_NOT_FOUND when it has none.",
  },
  summary: "The attempt's pull request as last polled: state, checks, reactions; 404 when it has none",
  tags,
  http: { method: 'GET', path: '/attempts/{attemptId}/pull-request', status: 200 },
  input: { path },
  output: pullRequestModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND'],
  handler: ({ attemptId }: AttemptId, { services }) => services.pullRequests.get(attemptId),
});

export const postAttemptsByAttemptIdPullRequestRefresh = defineOperation({
  kind: 'call',
  name: 'postAttemptsByAttemptIdPullRequestRefresh',
  mcp: { notATool: 'the poller keeps pull requests current within the hosts\' rate limits; get_pull_request reads what it found' },
  summary:
    "Poll the attempt's pull request now (state, checks, review comments, reactions; the task closes when it was merged), outside the poller's schedule; counts against the host's request budget",
  tags,
  http: { method: 'POST', path: '/attempts/{attemptId}/pull-request/refresh', status: 200 },
  input: { path },
  output: pullRequestModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND', 'FORGE_PUSH_REJECTED', 'FORGE_PUSH_FAILED', ...PROVIDER_ERRORS],
  handler: ({ attemptId }: AttemptId, { services }) => services.pullRequests.refresh(attemptId),
});

export const getGitProviders = defineOperation({
  kind: 'call',
  name: 'getGitProviders',
  mcp: { notATool: "server set-up (which code hosts are configured and whether they have tokens); an agent opens pull requests with open_pull_request" },
  summary: 'The installed git providers and the configured code hosts, with whether each has a token (never the token) and where it comes from',
  tags,
  http: { method: 'GET', path: '/git-providers', status: 200 },
  // No parameter yet; an unknown one is refused rather than silently ignored.
  input: { query: Joi.object({}) },
  output: Joi.object({
    providers: Joi.array()
      .items(
        Joi.object({
          id: Joi.string().pattern(EXECUTOR_ID_PATTERN).required(),
          displayName: Joi.string().required(),
          description: Joi.string().allow(null).required(),
          package: Joi.object({ name: Joi.string().required(), version: Joi.string().required() }).required(),
          capabilities: Joi.object().pattern(Joi.string(), Joi.boolean()).required(),
          tokenEnv: Joi.string().required().description('the environment variable its public hosts take the token from'),
          tokenConfigured: Joi.boolean().required(),
        }).label('GitProvider'),
      )
      .required(),
    hosts: Joi.array()
      .items(
        Joi.object({
          host: Joi.string().required(),
          provider: Joi.string().allow(null).required(),
          apiUrl: Joi.string().allow(null).required(),
          tokenSource: Joi.string().allow(null).required(),
          tokenConfigured: Joi.boolean().required(),
          requestsPerHour: Joi.number().integer().allow(null).required(),
        }).label('GitHost'),
      )
      .required(),
  }).label('GitProviders'),
  errors: ['FORGE_VALIDATION_FAILED'],
  handler: async (_input: Record<string, never>, { services }) => services.gitProviders.overview(),
});

export const pullRequestOperations = [postAttemptsByAttemptIdPullRequest, getAttemptsByAttemptIdPullRequest, postAttemptsByAttemptIdPullRequestRefresh, getGitProviders];
