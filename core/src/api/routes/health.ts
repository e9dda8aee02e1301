import type Hapi from '@hapi/hapi';
import Joi from 'joi';
import { SDK_CONTRACT_VERSION } from '@forge-core/sdk';
import { forgeOf } from '../route-helpers.ts';

const startedAt = Date.now();

export const healthRoutes: Hapi.Plugin<void> = {
  name: 'forge-api-health',
  version: '1.0.0',
  register(server) {
    server.route({
      method: 'GET',
      path: '/health',
      options: {
        tags: ['api', 'system'],
        description: 'Liveness and a few numbers; needs no token',
        response: {
          schema: Joi.object({
            status: Joi.string().valid('ok').required(),
            contractVersion: Joi.string().required(),
            nodeId: Joi.string().required(),
            uptimeSeconds: Joi.number().required(),
            runningAttempts: Joi.number().integer().required(),
          }).label('Health'),
        },
      },
      handler: (request) => {
        const forge = forgeOf(request);
        return {
          status: 'ok',
          contractVersion: SDK_CONTRACT_VERSION,
          nodeId: forge.config.nodeId,
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          runningAttempts: forge.scheduler.runningCount,
        };
      },
    });
  },
};
