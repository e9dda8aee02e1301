import { EXECUTOR_ID_PATTERN } from '@forge-core/sdk';
import Joi from 'joi';
import type { ProjectService } from '../../orchestrator/project-service.ts';
import { branch, cursor, id, limit, pageOf, projectModel } from '../schemas.ts';
import { apiUrlSchema } from '../../providers/api-url-schema.ts';
import { defineOperation, type OperationServices } from './operation.ts';

const script = Joi.string().max(100_000).allow(null, '');
const editable = {
  name: Joi.string().trim().min(1).max(200),
  defaultBranch: branch,
  remoteUrl: Joi.string().max(2048).allow(null),
  setupScript: script,
  cleanupScript: script,
  devScript: script,
  maxConcurrentAttempts: Joi.number().integer().min(1).max(1000).allow(null),
  worktreePoolSize: Joi.number()
    .integer()
    .min(0)
    .max(64)
    .allow(null)
    .description("ready worktrees kept for the project's next attempts, recycled from closed tasks or prepared while idle (0: none); null: the server's FORGE_WORKTREE_POOL_SIZE"),
  gitProvider: Joi.string()
    .pattern(EXECUTOR_ID_PATTERN)
    .allow(null)
    .description('the git provider serving the project (GET /git-providers) when its remote alone does not say: a self-hosted GitHub Enterprise, GitLab, Gitea or Forgejo'),
  gitProviderApiUrl: apiUrlSchema
    .allow(null)
    .description("the provider's REST API root for this project, e.g. https://git.example.com/api/v1; it must be on the remote's host or the one configured for it"),
  pullRequestReactions: Joi.object({
    ciFailure: Joi.boolean().strict().default(false).description('a failed check of its pull request becomes a follow-up to the agent'),
    reviewComments: Joi.boolean().strict().default(false).description('new review comments become a follow-up to the agent'),
    maxFollowUps: Joi.number().integer().min(0).max(50).default(3).description('follow-ups per attempt at most; then a person is told (event pull_request.needs_attention)'),
  })
    .allow(null)
    .label('PullRequestReactions')
    .description('off (null) unless set'),
  defaultExecutor: Joi.string()
    .pattern(EXECUTOR_ID_PATTERN)
    .allow(null)
    .description('the executor (GET /executors) its autoStart tasks start with once their dependencies are done; setting it clears defaultProfile'),
  defaultProfile: Joi.string()
    .max(64)
    .allow(null)
    .description('the executor profile (GET /executor-profiles) its autoStart tasks start with; setting it clears defaultExecutor'),
  autoMerge: Joi.boolean()
    .strict()
    .description("merge an autoStart task's succeeded attempt into its base at once, as POST /attempts/{id}/merge does, so a chain of dependent tasks runs with no person (default false)"),
};
const path = Joi.object({ projectId: id('project').required() });
const tags = ['projects'];

type ProjectId = { projectId: string };
export type CreateProjectInput = Parameters<ProjectService['create']>[0];
export type ListProjectsInput = Parameters<ProjectService['list']>[0];
export type UpdateProjectInput = ProjectId & Parameters<ProjectService['update']>[1];

/** The settings only the dependencies feature acts on (tasks that start and merge by themselves) are refused while it is off, rather than kept to do nothing. */
function requireDependenciesFor(settings: Partial<Pick<CreateProjectInput, 'autoMerge' | 'defaultExecutor' | 'defaultProfile'>>, services: OperationServices): void {
  if (settings.autoMerge || settings.defaultExecutor || settings.defaultProfile) services.features.require('dependencies');
}

export const postProjects = defineOperation({
  kind: 'call',
  name: 'postProjects',
  mcp: { tool: "create_project", title: "Register a repository as a project", description:
    "Register an existing local git repository (absolute path of its top level) as a project, so tasks can be created in it. Use it only when list_projects does not already have the repository. Returns the project; next, create_task with its id." },
  summary: 'Register an existing local git repository as a project',
  tags,
  http: { method: 'POST', path: '/projects', status: 201 },
  input: {
    body: Joi.object({
      ...editable,
      name: editable.name.required(),
      repoPath: Joi.string().min(1).max(4096).required().description('Absolute path of the repository top level'),
    }).label('CreateProject'),
  },
  output: projectModel,
  errors: [
    'FORGE_VALIDATION_FAILED',
    'FORGE_CONFLICT',
    'FORGE_NOT_A_GIT_REPOSITORY',
    'FORGE_REPOSITORY_EMPTY',
    'FORGE_BRANCH_NOT_FOUND',
    'FORGE_EXECUTOR_NOT_FOUND',
    'FORGE_PROFILE_NOT_FOUND',
    'FORGE_FEATURE_DISABLED',
  ],
  handler: (input: CreateProjectInput, { services }) => {
    requireDependenciesFor(input, services);
    return services.projects.create(emptyToNull(input));
  },
});

export const getProjects = defineOperation({
  kind: 'call',
  name: 'getProjects',
  mcp: { tool: "list_projects", title: "List projects", description:
    "List the projects (git repositories) Forge Core manages, oldest first, a page at a time (pass nextCursor as cursor for the next page). Start here to find the projectId that create_task and list_tasks need." },
  summary: 'List projects',
  tags,
  http: { method: 'GET', path: '/projects', status: 200 },
  input: { query: Joi.object({ cursor, limit: limit(1000, 100) }) },
  output: pageOf(projectModel, 'ProjectPage'),
  errors: ['FORGE_VALIDATION_FAILED'],
  handler: (input: ListProjectsInput, { services }) => services.projects.list(input),
});

export const getProjectsByProjectId = defineOperation({
  kind: 'call',
  name: 'getProjectsByProjectId',
  mcp: { tool: "get_project", title: "Get a project", description:
    "Get one project by id: its repository path, default branch, setup and cleanup scripts and concurrency cap. list_tasks with its projectId gives its tasks." },
  summary: 'Get a project',
  tags,
  http: { method: 'GET', path: '/projects/{projectId}', status: 200 },
  input: { path },
  output: projectModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND'],
  handler: ({ projectId }: ProjectId, { services }) => services.projects.get(projectId),
});

export const patchProjectsByProjectId = defineOperation({
  kind: 'call',
  name: 'patchProjectsByProjectId',
  mcp: { notATool: "changes the scripts Forge runs in every worktree of the project and its concurrency cap: a person's decision, through the REST API" },
  summary: 'Update a project (name, default branch, scripts, concurrency cap, what starts and merges its autoStart tasks)',
  tags,
  http: { method: 'PATCH', path: '/projects/{projectId}', status: 200 },
  input: { path, body: Joi.object(editable).min(1).label('UpdateProject') },
  output: projectModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND', 'FORGE_REPOSITORY_MISSING', 'FORGE_BRANCH_NOT_FOUND', 'FORGE_EXECUTOR_NOT_FOUND', 'FORGE_PROFILE_NOT_FOUND', 'FORGE_FEATURE_DISABLED'],
  handler: ({ projectId, ...changes }: UpdateProjectInput, { services }) => {
    requireDependenciesFor(changes, services);
    return services.projects.update(projectId, emptyToNull(changes));
  },
});

export const deleteProjectsByProjectId = defineOperation({
  kind: 'call',
  name: 'deleteProjectsByProjectId',
  mcp: { notATool: "removes a project with all its tasks, worktrees and branches: a person's decision, through the REST API" },
  summary: 'Delete a project with its tasks; removes their worktrees and branches (the repository itself is untouched)',
  tags,
  http: { method: 'DELETE', path: '/projects/{projectId}', status: 204 },
  input: { path },
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND'],
  handler: ({ projectId }: ProjectId, { services }) => services.projects.delete(projectId),
});

export const projectOperations = [postProjects, getProjects, getProjectsByProjectId, patchProjectsByProjectId, deleteProjectsByProjectId];

/** An empty script means no script. */
function emptyToNull<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v === '' ? null : v])) as T;
}
