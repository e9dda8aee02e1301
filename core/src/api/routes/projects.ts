import type Hapi from '@hapi/hapi';
import Joi from 'joi';
import { errorResponses, forgeOf, param } from '../route-helpers.ts';
import { branch, cursor, id, limit, pageOf, projectModel } from '../schemas.ts';

const script = Joi.string().max(100_000).allow(null, '');
const editable = {
  name: Joi.string().trim().min(1).max(200),
  defaultBranch: branch,
  remoteUrl: Joi.string().max(2048).allow(null),
  setupScript: script,
  cleanupScript: script,
  devScript: script,
  maxConcurrentAttempts: Joi.number().integer().min(1).max(1000).allow(null),
};
const params = Joi.object({ projectId: id('project').required() });

export const projectRoutes: Hapi.Plugin<void> = {
  name: 'forge-api-projects',
  version: '1.0.0',
  register(server) {
    server.route([
      {
        method: 'POST',
        path: '/projects',
        options: {
          tags: ['api', 'projects'],
          description: 'Register an existing local git repository as a project',
          validate: {
            payload: Joi.object({
              ...editable,
              name: editable.name.required(),
              repoPath: Joi.string().min(1).max(4096).required().description('Absolute path of the repository top level'),
            }).label('CreateProject'),
          },
          response: { status: { 201: projectModel } },
          plugins: { forge: { errors: errorResponses(400, 409, 422) } },
        },
        handler: async (request, h) => h.response(await forgeOf(request).projects.create(emptyToNull(request.payload as Record<string, unknown>) as never)).code(201),
      },
      {
        method: 'GET',
        path: '/projects',
        options: {
          tags: ['api', 'projects'],
          description: 'List projects',
          validate: { query: Joi.object({ cursor, limit: limit(1000, 100) }) },
          response: { schema: pageOf(projectModel, 'ProjectPage') },
          plugins: { forge: { errors: errorResponses(400) } },
        },
        handler: (request) => forgeOf(request).projects.list(request.query as never),
      },
      {
        method: 'GET',
        path: '/projects/{projectId}',
        options: {
          tags: ['api', 'projects'],
          description: 'Get a project',
          validate: { params },
          response: { schema: projectModel },
          plugins: { forge: { errors: errorResponses(400, 404) } },
        },
        handler: (request) => forgeOf(request).projects.get(param(request, 'projectId')),
      },
      {
        method: 'PATCH',
        path: '/projects/{projectId}',
        options: {
          tags: ['api', 'projects'],
          description: 'Update a project (name, default branch, scripts, concurrency cap)',
          validate: { params, payload: Joi.object(editable).min(1).label('UpdateProject') },
          response: { schema: projectModel },
          plugins: { forge: { errors: errorResponses(400, 404, 409, 422) } },
        },
        handler: (request) => forgeOf(request).projects.update(param(request, 'projectId'), emptyToNull(request.payload as Record<string, unknown>)),
      },
      {
        method: 'DELETE',
        path: '/projects/{projectId}',
        options: {
          tags: ['api', 'projects'],
          description: 'Delete a project with its tasks; removes their worktrees and branches (the repository itself is untouched)',
          validate: { params },
          plugins: { forge: { errors: errorResponses(400, 404) } },
        },
        handler: async (request, h) => {
          const forge = forgeOf(request);
          await forge.projects.delete(param(request, 'projectId'), (attemptId) => forge.attempts.stopIfLive(attemptId));
          return h.response().code(204);
        },
      },
    ]);
  },
};

/** An empty script means no script. */
function emptyToNull(payload: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, v === '' ? null : v]));
}
