import Joi from 'joi';
import { defineOperation } from './operation.ts';

export const getHealth = defineOperation({
  kind: 'call',
  name: 'getHealth',
  mcp: { notATool: "a liveness probe for monitors; an MCP client learns the server is up from its handshake" },
  summary: 'Liveness and a few numbers; needs no token',
  tags: ['system'],
  http: { method: 'GET', path: '/health', status: 200 },
  input: {},
  output: Joi.object({
    status: Joi.string().valid('ok').required(),
    contractVersion: Joi.string().required(),
    nodeId: Joi.string().required(),
    uptimeSeconds: Joi.number().required(),
    runningAttempts: Joi.number().integer().required(),
  }).label('Health'),
  errors: [],
  handler: async (_input: Record<string, never>, { services }) => services.health(),
});

export const systemOperations = [getHealth];
