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

export const listFeatures = defineOperation({
  kind: 'call',
  name: 'listFeatures',
  mcp: { notATool: 'server configuration for operators; an agent has no use for it' },
  summary: 'The features still settling, whether each is on, and where that comes from',
  tags: ['system'],
  http: { method: 'GET', path: '/features', status: 200 },
  input: {},
  output: Joi.object({
    items: Joi.array()
      .items(
        Joi.object({
          name: Joi.string().required(),
          enabled: Joi.boolean().required(),
          stage: Joi.string().valid('preview').required().description('preview: on by default, may still change; stable features leave the list'),
          description: Joi.string().required(),
          source: Joi.string().valid('default', 'config').required().description('config: set by config.json or FORGE_FEATURES'),
        }).label('Feature'),
      )
      .required(),
  }).label('FeatureList'),
  errors: [],
  handler: async (_input: Record<string, never>, { services }) => ({ items: services.features.list() }),
});

export const systemOperations = [getHealth, listFeatures];
