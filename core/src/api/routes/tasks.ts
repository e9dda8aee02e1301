import type Hapi from '@hapi/hapi';
import Joi from 'joi';
import { TASK_STATUSES, type TaskStatus } from '../../store/task-store.ts';
import { errorResponses, forgeOf, param } from '../route-helpers.ts';
import { cursor, id, limit, pageOf, taskModel } from '../schemas.ts';

const fields = {
  title: Joi.string().trim().min(1).max(500),
  description: Joi.string().max(100_000).allow(null, ''),
  status: Joi.string().valid(...TASK_STATUSES),
  priority: Joi.number().integer().min(-1000).max(1000),
  parentTaskId: id('parentTask').allow(null),
};
const params = Joi.object({ taskId: id('task').required() });

export const taskRoutes: Hapi.Plugin<void> = {
  name: 'forge-api-tasks',
  version: '1.0.0',
  register(server) {
    server.route([
      {
        method: 'POST',
        path: '/tasks',
        options: {
          tags: ['api', 'tasks'],
          description: 'Create a task in a project',
          validate: {
            payload: Joi.object({
              ...fields,
              projectId: id('project').required(),
              title: fields.title.required(),
              autoStart: Joi.boolean(),
            }).label('CreateTask'),
          },
          response: { status: { 201: taskModel } },
          plugins: { forge: { errors: errorResponses(400, 422) } },
        },
        handler: async (request, h) => h.response(await forgeOf(request).tasks.create(request.payload as never)).code(201),
      },
      {
        method: 'GET',
        path: '/tasks',
        options: {
          tags: ['api', 'tasks'],
          description: 'List tasks, oldest first, filtered by project and status',
          validate: {
            query: Joi.object({
              projectId: id('project'),
              status: Joi.array().items(fields.status).single().description('one or more statuses'),
              cursor,
              limit: limit(1000, 100),
            }),
          },
          response: { schema: pageOf(taskModel, 'TaskPage') },
          plugins: { forge: { errors: errorResponses(400) } },
        },
        handler: (request) => {
          const query = request.query as { projectId?: string; status?: TaskStatus[]; cursor?: string; limit: number };
          return forgeOf(request).tasks.list({ projectId: query.projectId, status: query.status }, { cursor: query.cursor, limit: query.limit });
        },
      },
      {
        method: 'GET',
        path: '/tasks/{taskId}',
        options: {
          tags: ['api', 'tasks'],
          description: 'Get a task',
          validate: { params },
          response: { schema: taskModel },
          plugins: { forge: { errors: errorResponses(400, 404) } },
        },
        handler: (request) => forgeOf(request).tasks.get(param(request, 'taskId')),
      },
      {
        method: 'PATCH',
        path: '/tasks/{taskId}',
        options: {
          tags: ['api', 'tasks'],
          description: 'Update a task; setting status done or cancelled stops its attempts and removes their worktrees',
          validate: { params, payload: Joi.object(fields).min(1).label('UpdateTask') },
          response: { schema: taskModel },
          plugins: { forge: { errors: errorResponses(400, 404, 422) } },
        },
        handler: (request) => {
          const forge = forgeOf(request);
          const changes = { ...(request.payload as Record<string, unknown>) };
          if (changes.description === '') changes.description = null;
          return forge.tasks.update(param(request, 'taskId'), changes, (attemptId) => forge.attempts.stopIfLive(attemptId));
        },
      },
      {
        method: 'DELETE',
        path: '/tasks/{taskId}',
        options: {
          tags: ['api', 'tasks'],
          description: 'Delete a task; stops its attempts and removes their worktrees and branches',
          validate: { params },
          plugins: { forge: { errors: errorResponses(400, 404) } },
        },
        handler: async (request, h) => {
          const forge = forgeOf(request);
          await forge.tasks.delete(param(request, 'taskId'), (attemptId) => forge.attempts.stopIfLive(attemptId));
          return h.response().code(204);
        },
      },
    ]);
  },
};
