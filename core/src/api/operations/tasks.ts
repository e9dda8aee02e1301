import Joi from 'joi';
import type { TaskService } from '../../orchestrator/task-service.ts';
import { jsonTextOfPage } from '../json-text.ts';
import { cursor, id, limit, pageOf, taskModel, taskStatus } from '../schemas.ts';
import { defineOperation } from './operation.ts';

const fields = {
  title: Joi.string().trim().min(1).max(500),
  description: Joi.string().max(100_000).allow(null, ''),
  status: taskStatus,
  priority: Joi.number().integer().min(-1000).max(1000).description("higher first: queued attempts start in their task's priority order, then first queued first"),
  parentTaskId: id('task').allow(null),
  autoStart: Joi.boolean().description("start its first attempt by itself, with its project's defaultExecutor or defaultProfile, once every task it waits on is done (at once when none)"),
};
const path = Joi.object({ taskId: id('task').required() });
const tags = ['tasks'];
const NO_DEPENDENCIES = { total: 0, waitingOn: 0 };

type TaskId = { taskId: string };
type Task = Awaited<ReturnType<TaskService['get']>>;
export type CreateTaskInput = Parameters<TaskService['create']>[0] & { dependsOn?: string[] };
export type ListTasksInput = Parameters<TaskService['listJson']>[0] & Parameters<TaskService['listJson']>[1];
export type UpdateTaskInput = TaskId & Parameters<TaskService['update']>[1];

export const postTasks = defineOperation({
  kind: 'call',
  name: 'postTasks',
  mcp: { tool: "create_task", title: "Create a task", description:
    "Create a task in a project: a title and, ideally, a description an agent can work from (what to change, how to check it). Set parentTaskId to make it a subtask, dependsOn to the ids of tasks (any project) it must wait for, and autoStart true to have it start by itself once they are done. Returns the task in status todo; next, start_attempt to have an agent work on it." },
  summary: 'Create a task in a project',
  tags,
  http: { method: 'POST', path: '/tasks', status: 201 },
  input: {
    body: Joi.object({
      ...fields,
      projectId: id('project').required(),
      title: fields.title.required(),
      dependsOn: Joi.array()
        .items(id('task'))
        .max(100)
        .unique()
        .description('ids of tasks, in any project, this one waits on: it is blocked until they are all done (the dependencies feature)'),
    }).label('CreateTask'),
  },
  output: taskModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_UNPROCESSABLE', 'FORGE_FEATURE_DISABLED'],
  handler: ({ dependsOn, ...task }: CreateTaskInput, { services }) => {
    // What only the dependencies feature acts on is refused while it is off, rather than kept to do nothing.
    if (dependsOn?.length || task.autoStart) services.features.require('dependencies');
    return services.tasks.create(task, dependsOn);
  },
});

export const getTasks = defineOperation({
  kind: 'call',
  name: 'getTasks',
  mcp: { tool: "list_tasks", title: "List tasks", description:
    "List tasks, oldest first, optionally only one project's (projectId) and only some statuses (status: todo, inprogress, inreview, done, cancelled). Paged: pass nextCursor as cursor for more. Use get_task for one task and list_attempts for its attempts." },
  summary: 'List tasks, oldest first, filtered by project and status',
  tags,
  http: { method: 'GET', path: '/tasks', status: 200 },
  input: {
    query: Joi.object({
      projectId: id('project'),
      status: Joi.array().items(fields.status).single().description('one or more statuses'),
      cursor,
      limit: limit(1000, 100),
    }),
  },
  output: pageOf(taskModel, 'TaskPage'),
  errors: ['FORGE_VALIDATION_FAILED'],
  // Serialized by SQLite: a page of 1,000 tasks as objects cost several times more (decision 0043).
  handler: async ({ projectId, status, ...page }: ListTasksInput, { services }) => {
    const dependencyCounts = services.features.enabled('dependencies');
    return jsonTextOfPage<Task>(await services.tasks.listJson({ projectId, status }, page, { dependencyCounts }));
  },
});

export const getTasksByTaskId = defineOperation({
  kind: 'call',
  name: 'getTasksByTaskId',
  mcp: { tool: "get_task", title: "Get a task", description:
    "Get one task by id: its title, description, status (todo, inprogress, inreview, done, cancelled), parent task, how many of its subtasks are in each status, how many tasks it waits on (dependencies) and, when its chain stopped, why (blockedReason). list_attempts gives the attempts agents made on it." },
  summary: 'Get a task',
  tags,
  http: { method: 'GET', path: '/tasks/{taskId}', status: 200 },
  input: { path },
  output: taskModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND'],
  handler: async ({ taskId }: TaskId, { services }) => {
    const task = { ...(await services.tasks.get(taskId)), subtasks: await services.tasks.subtaskCounts(taskId) };
    const counts = await services.dependencies.countsFor([taskId]);
    return counts ? { ...task, dependencies: counts.get(taskId) ?? NO_DEPENDENCIES } : task;
  },
});

export const patchTasksByTaskId = defineOperation({
  kind: 'call',
  name: 'patchTasksByTaskId',
  mcp: { tool: "update_task", title: "Update a task", description:
    "Change a task's title, description, priority, parent, autoStart or status. Setting status done or cancelled stops its running attempts and removes their worktrees; a status move the lifecycle does not allow is refused with FORGE_INVALID_TRANSITION naming the allowed ones. Returns the updated task." },
  summary:
    'Update a task; setting status done or cancelled stops its attempts and removes their worktrees. A status move the task lifecycle does not allow answers 409 FORGE_INVALID_TRANSITION naming what is allowed',
  tags,
  http: { method: 'PATCH', path: '/tasks/{taskId}', status: 200 },
  input: { path, body: Joi.object(fields).min(1).label('UpdateTask') },
  output: taskModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND', 'FORGE_INVALID_TRANSITION', 'FORGE_UNPROCESSABLE', 'FORGE_FEATURE_DISABLED'],
  handler: ({ taskId, ...changes }: UpdateTaskInput, { services }) => {
    if (changes.autoStart) services.features.require('dependencies');
    // An empty description means none.
    return services.tasks.update(taskId, changes.description === '' ? { ...changes, description: null } : changes);
  },
});

export const deleteTasksByTaskId = defineOperation({
  kind: 'call',
  name: 'deleteTasksByTaskId',
  mcp: { tool: "delete_task", title: "Delete a task", description:
    "Delete a task for good: stops its attempts and removes their worktrees and branches. Prefer update_task with status cancelled to keep the record. Returns nothing." },
  summary: 'Delete a task; stops its attempts and removes their worktrees and branches',
  tags,
  http: { method: 'DELETE', path: '/tasks/{taskId}', status: 204 },
  input: { path },
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND'],
  handler: ({ taskId }: TaskId, { services }) => services.tasks.delete(taskId),
});

export const taskOperations = [postTasks, getTasks, getTasksByTaskId, patchTasksByTaskId, deleteTasksByTaskId];
