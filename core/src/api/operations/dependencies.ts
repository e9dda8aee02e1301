import Joi from 'joi';
import { id, taskStatus } from '../schemas.ts';
import { defineOperation } from './operation.ts';

const taskPath = Joi.object({ taskId: id('task').required() });
const tags = ['tasks'];

const linkedTask = Joi.object({
  id: Joi.string().required(),
  projectId: Joi.string().required(),
  title: Joi.string().required(),
  status: taskStatus.required(),
  blockedReason: Joi.string().allow(null).required(),
}).label('LinkedTask');

const dependencyView = Joi.object({
  taskId: Joi.string().required(),
  dependsOn: Joi.array().items(linkedTask).required().description('the tasks it waits on, each with its status'),
  dependents: Joi.array().items(linkedTask).required().description('the tasks that wait on it'),
  waitingOn: Joi.number().integer().min(0).required().description('how many of dependsOn are not done: while any is, it is blocked'),
  blockedReason: Joi.string()
    .allow(null)
    .required()
    .description('why its chain stopped: a dependency failed or was cancelled, or it could not be started or merged by itself'),
}).label('TaskDependencies');

type TaskId = { taskId: string };
type Edge = TaskId & { dependsOn: string };
type EdgePath = TaskId & { dependsOnTaskId: string };

export const postTasksByTaskIdDependencies = defineOperation({
  kind: 'call',
  feature: 'dependencies',
  name: 'postTasksByTaskIdDependencies',
  mcp: { tool: 'add_task_dependency', title: 'Make a task wait on another', description:
    "Make a task (taskId) wait on another task (dependsOn, any project): it cannot start until that one is done (merged, or marked done), and with autoStart it starts by itself then. An edge that would close a cycle is refused with FORGE_DEPENDENCY_CYCLE naming the cycle; adding an edge that exists changes nothing. Returns both directions of the task's dependencies." },
  summary:
    'Make the task wait on another task (any project); an existing edge answers 201 too, unchanged. An edge that would close a cycle answers 409 FORGE_DEPENDENCY_CYCLE naming it',
  tags,
  http: { method: 'POST', path: '/tasks/{taskId}/dependencies', status: 201 },
  input: { path: taskPath, body: Joi.object({ dependsOn: id('task').required().description('the task to wait on') }).label('AddTaskDependency') },
  output: dependencyView,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND', 'FORGE_DEPENDENCY_CYCLE', 'FORGE_FEATURE_DISABLED'],
  handler: ({ taskId, dependsOn }: Edge, { services }) => services.dependencies.add(taskId, dependsOn),
});

export const getTasksByTaskIdDependencies = defineOperation({
  kind: 'call',
  feature: 'dependencies',
  name: 'getTasksByTaskIdDependencies',
  mcp: { tool: 'list_task_dependencies', title: "List a task's dependencies", description:
    "What a task waits on (each with its status) and which tasks wait on it, how many of its dependencies are not done yet, and, when its chain stopped, why (blockedReason: a dependency failed or was cancelled)." },
  summary: 'What the task waits on, each with its status, and which tasks wait on it',
  tags,
  http: { method: 'GET', path: '/tasks/{taskId}/dependencies', status: 200 },
  input: { path: taskPath },
  output: dependencyView,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND', 'FORGE_FEATURE_DISABLED'],
  handler: ({ taskId }: TaskId, { services }) => services.dependencies.view(taskId),
});

export const deleteTasksByTaskIdDependenciesByDependsOnTaskId = defineOperation({
  kind: 'call',
  feature: 'dependencies',
  name: 'deleteTasksByTaskIdDependenciesByDependsOnTaskId',
  mcp: { tool: 'remove_task_dependency', title: 'Stop a task waiting on another', description:
    "Remove the edge that makes a task (taskId) wait on another (dependsOnTaskId). If it waits on nothing else unfinished it is no longer blocked, and with autoStart it starts now. Answers FORGE_NOT_FOUND when there was no such edge. Returns nothing." },
  summary: 'The task no longer waits on that task; 404 when it did not',
  tags,
  http: { method: 'DELETE', path: '/tasks/{taskId}/dependencies/{dependsOnTaskId}', status: 204 },
  input: { path: Joi.object({ taskId: id('task').required(), dependsOnTaskId: id('task').required() }) },
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND', 'FORGE_FEATURE_DISABLED'],
  handler: ({ taskId, dependsOnTaskId }: EdgePath, { services }) => services.dependencies.remove(taskId, dependsOnTaskId),
});

export const dependencyOperations = [postTasksByTaskIdDependencies, getTasksByTaskIdDependencies, deleteTasksByTaskIdDependenciesByDependsOnTaskId];
