import Joi from 'joi';
import { defineOperation } from './operation.ts';

const executorModel = Joi.object({
  id: Joi.string().required(),
  displayName: Joi.string().required(),
  description: Joi.string().allow(null).required(),
  package: Joi.string().required(),
  version: Joi.string().required(),
  contractVersion: Joi.string().required(),
  capabilities: Joi.object().pattern(Joi.string(), Joi.boolean()).required(),
  available: Joi.boolean().required(),
  reason: Joi.string().allow(null).required(),
  detectedVersion: Joi.string().allow(null).required(),
  optionsSchema: Joi.object().unknown(true).required().description('JSON Schema of the options a start request takes'),
}).label('Executor');

export const getExecutors = defineOperation({
  kind: 'call',
  name: 'getExecutors',
  summary: 'The installed executors, whether each can run here, and the options each takes',
  tags: ['executors'],
  http: { method: 'GET', path: '/executors', status: 200 },
  input: {},
  output: Joi.object({ items: Joi.array().items(executorModel).required() }).label('ExecutorList'),
  errors: [],
  handler: async (_input: Record<string, never>, { services }) => ({ items: services.packs.executors() }),
});

export const executorOperations = [getExecutors];
