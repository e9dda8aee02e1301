import type Hapi from '@hapi/hapi';
import Joi from 'joi';
import { forgeOf } from '../route-helpers.ts';

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

export const executorRoutes: Hapi.Plugin<void> = {
  name: 'forge-api-executors',
  version: '1.0.0',
  register(server) {
    server.route({
      method: 'GET',
      path: '/executors',
      options: {
        tags: ['api', 'executors'],
        description: 'The installed executors, whether each can run here, and the options each takes',
        response: { schema: Joi.object({ items: Joi.array().items(executorModel).required() }).label('ExecutorList') },
      },
      handler: (request) => ({
        items: forgeOf(request)
          .registry.listExecutors()
          .map((e) => ({
            id: e.id,
            displayName: e.displayName,
            description: e.description,
            package: e.packageName,
            version: e.packageVersion,
            contractVersion: e.contractVersion,
            capabilities: { ...e.capabilities },
            available: e.detection.available,
            reason: e.detection.reason ?? null,
            detectedVersion: e.detection.version ?? null,
            optionsSchema: e.optionsJsonSchema,
          })),
      }),
    });
  },
};
