import type Hapi from '@hapi/hapi';
import Joi from 'joi';
import type { PushTarget } from '../../orchestrator/branch-service.ts';
import { errorResponses, forgeOf, param } from '../route-helpers.ts';
import { attemptModel, branch, id, processModel } from '../schemas.ts';

const taskParams = Joi.object({ taskId: id('task').required() });
const params = Joi.object({ attemptId: id('attempt').required() });
const prompt = Joi.string().min(1).max(200_000);

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

export const attemptRoutes: Hapi.Plugin<void> = {
  name: 'forge-api-attempts',
  version: '1.0.0',
  register(server) {
    const action = (
      path: string,
      description: string,
      response: Joi.Schema,
      run: (request: Hapi.Request) => Promise<unknown>,
      errors: number[],
    ): Hapi.ServerRoute => ({
      method: 'POST',
      path: `/attempts/{attemptId}/${path}`,
      options: {
        tags: ['api', 'attempts'],
        description,
        validate: { params },
        response: { schema: response },
        plugins: { forge: { errors: errorResponses(...errors) } },
      },
      handler: (request) => run(request),
    });

    server.route([
      {
        method: 'POST',
        path: '/tasks/{taskId}/attempts',
        options: {
          tags: ['api', 'attempts'],
          description: 'Start an attempt: queued at once (202), run in its own worktree when capacity allows',
          validate: {
            params: taskParams,
            payload: Joi.object({
              executor: Joi.string().max(64).required().description('executor id, see GET /executors'),
              options: Joi.object().unknown(true).description("the executor's options, see GET /executors"),
              baseBranch: branch.description("defaults to the project's default branch"),
              prompt: prompt.description("defaults to the task's title and description"),
            }).label('StartAttempt'),
          },
          response: { status: { 202: attemptModel } },
          plugins: { forge: { errors: errorResponses(400, 404, 409, 422, 503) } },
        },
        handler: async (request, h) => {
          const attempt = await forgeOf(request).attempts.start(param(request, 'taskId'), request.payload as never);
          return h.response(attempt).code(202);
        },
      },
      {
        method: 'GET',
        path: '/tasks/{taskId}/attempts',
        options: {
          tags: ['api', 'attempts'],
          description: "List a task's attempts, oldest first",
          validate: { params: taskParams },
          response: { schema: Joi.object({ items: Joi.array().items(attemptModel).required() }).label('AttemptList') },
          plugins: { forge: { errors: errorResponses(400, 404) } },
        },
        handler: async (request) => ({
          items: await forgeOf(request).attempts.listByTask(param(request, 'taskId')),
        }),
      },
      {
        method: 'GET',
        path: '/attempts/{attemptId}',
        options: {
          tags: ['api', 'attempts'],
          description: 'Get an attempt',
          validate: { params },
          response: { schema: attemptModel },
          plugins: { forge: { errors: errorResponses(400, 404) } },
        },
        handler: (request) => forgeOf(request).attempts.get(param(request, 'attemptId')),
      },
      action('stop', 'Stop an attempt: kills its processes; it ends cancelled (failed with FORGE_COMMIT_FAILED when its work cannot be committed)', attemptModel, (request) =>
        forgeOf(request).attempts.stop(param(request, 'attemptId')), [400, 404, 409]),
      {
        method: 'POST',
        path: '/attempts/{attemptId}/follow-up',
        options: {
          tags: ['api', 'attempts'],
          description: "Run the agent again in the same worktree, resuming its session (202)",
          validate: { params, payload: Joi.object({ prompt: prompt.required() }).label('FollowUp') },
          response: { status: { 202: attemptModel } },
          plugins: { forge: { errors: errorResponses(400, 404, 409) } },
        },
        handler: async (request, h) => {
          const { prompt: text } = request.payload as { prompt: string };
          return h.response(await forgeOf(request).attempts.followUp(param(request, 'attemptId'), text)).code(202);
        },
      },
      {
        method: 'GET',
        path: '/attempts/{attemptId}/diff',
        options: {
          tags: ['api', 'attempts'],
          description: "The attempt's changes against the merge base with its base branch: files and a unified patch",
          validate: { params },
          response: { schema: diffModel },
          plugins: { forge: { errors: errorResponses(400, 404, 409, 422) } },
        },
        handler: (request) => forgeOf(request).branches.diff(param(request, 'attemptId')),
      },
      action(
        'rebase',
        'Rebase the attempt branch onto its base; 409 with the conflicting files if it cannot (nothing is changed then)',
        Joi.object({ baseCommit: Joi.string().required(), headCommit: Joi.string().required() }).label('RebaseResult'),
        (request) => forgeOf(request).branches.rebase(param(request, 'attemptId')),
        [400, 404, 409, 422],
      ),
      action(
        'merge',
        'Squash-merge the attempt into its base branch and close the task; 409 when the base moved and conflicts',
        Joi.object({ mergeCommit: Joi.string().required(), baseBranch: Joi.string().required() }).label('MergeResult'),
        (request) => forgeOf(request).branches.merge(param(request, 'attemptId')),
        [400, 404, 409, 422, 503],
      ),
      {
        method: 'POST',
        path: '/attempts/{attemptId}/push',
        options: {
          tags: ['api', 'attempts'],
          description:
            "Push to origin the attempt's branch (default) or, with {\"branch\":\"base\"}, its base branch, e.g. after a merge; the base only as a fast-forward (409 FORGE_PUSH_REJECTED when origin's base moved)",
          validate: {
            params,
            // The body is optional: no body pushes the attempt's branch, as before it had one.
            payload: Joi.object({
              branch: Joi.string().valid('attempt', 'base').default('attempt').description("which branch: the attempt's own, or the base it merges into"),
            })
              .allow(null)
              .label('PushRequest'),
          },
          response: {
            schema: Joi.object({
              remote: Joi.string().required(),
              pushed: Joi.string().valid('attempt', 'base').required().description('which branch was pushed'),
              branch: Joi.string().required().description('its name, the same on origin'),
              commit: Joi.string().required().description('the commit origin now has there'),
            }).label('PushResult'),
          },
          plugins: { forge: { errors: errorResponses(400, 404, 409, 422, 502) } },
        },
        handler: (request) => {
          const body = request.payload as { branch: PushTarget } | null;
          return forgeOf(request).branches.push(param(request, 'attemptId'), body?.branch ?? 'attempt');
        },
      },
      {
        method: 'GET',
        path: '/attempts/{attemptId}/processes',
        options: {
          tags: ['api', 'attempts'],
          description: "The attempt's processes (setup, agent, cleanup), oldest first",
          validate: { params },
          response: { schema: Joi.object({ items: Joi.array().items(processModel).required() }).label('ProcessList') },
          plugins: { forge: { errors: errorResponses(400, 404) } },
        },
        handler: async (request) => {
          const forge = forgeOf(request);
          await forge.attempts.get(param(request, 'attemptId'));
          return { items: await forge.stores.processes.listByAttempt(param(request, 'attemptId')) };
        },
      },
    ]);
  },
};
