import { EXECUTOR_ID_PATTERN } from '@forge-core/sdk';
import Joi from 'joi';
import type { CapsChange } from '../../orchestrator/concurrency-limits.ts';
import { timestamp } from '../schemas.ts';
import { defineOperation } from './operation.ts';

const cap = Joi.number().integer().min(1).max(1000);
const source = Joi.string().valid('config', 'api').required().description('api: set through PATCH /queue (kept across restarts); config: the configuration file or environment');

const queueView = Joi.object({
  maxConcurrentAttempts: cap.required().description('attempts running at once on this server, at most'),
  source,
  running: Joi.number().integer().required(),
  queued: Joi.number().integer().required(),
  executors: Joi.array()
    .items(
      Joi.object({
        id: Joi.string().required(),
        maxConcurrentAttempts: cap.allow(null).required().description("this executor's cap; null: none"),
        source,
        running: Joi.number().integer().required(),
        queued: Joi.number().integer().required(),
        pausedUntil: timestamp.allow(null).required().description("until when a rate limit or quota holds this executor's queued attempts"),
      }).label('ExecutorQueue'),
    )
    .required(),
  projects: Joi.array()
    .items(
      Joi.object({
        id: Joi.string().required(),
        name: Joi.string().required(),
        maxConcurrentAttempts: cap.allow(null).required().description("the project's cap (PATCH /projects/{id}); null: none"),
        running: Joi.number().integer().required(),
        queued: Joi.number().integer().required(),
      }).label('ProjectQueue'),
    )
    .required()
    .description('projects with a cap of their own, or with attempts running or queued'),
}).label('Queue');

const tags = ['queue'];

export const getQueue = defineOperation({
  kind: 'call',
  name: 'getQueue',
  mcp: { notATool: 'server capacity for operators; an agent follows its own attempts' },
  summary: 'The caps on running attempts (global, per executor, per project), what runs and waits under each, and which executors a rate limit holds',
  tags,
  http: { method: 'GET', path: '/queue', status: 200 },
  input: {},
  output: queueView,
  errors: [],
  handler: async (_input: Record<string, never>, { services }) => services.queue.view(),
});

export const patchQueue = defineOperation({
  kind: 'call',
  name: 'patchQueue',
  mcp: { notATool: 'server capacity for operators; an agent follows its own attempts' },
  summary: "Changes the global or per-executor caps at once, without a restart (kept across restarts); null gives a cap back to the configuration. A project's cap is changed on the project",
  tags,
  http: { method: 'PATCH', path: '/queue', status: 200 },
  input: {
    body: Joi.object({
      maxConcurrentAttempts: cap.allow(null),
      executors: Joi.object()
        .pattern(Joi.string().pattern(EXECUTOR_ID_PATTERN), cap.allow(null))
        .min(1)
        .description('executor id → its cap; null removes the one set here'),
    })
      .min(1)
      .message('give maxConcurrentAttempts and/or executors')
      .label('QueueChange'),
  },
  output: queueView,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_EXECUTOR_NOT_FOUND'],
  handler: (input: CapsChange, { services }) => services.queue.update(input),
});

export const queueOperations = [getQueue, patchQueue];
