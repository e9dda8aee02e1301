import Joi from 'joi';
import { EXECUTOR_ID_PATTERN } from '@forge-core/sdk';
import { PROFILE_NAME_PATTERN } from '../../config/profile-name.ts';
import type { ProfileInput } from '../../orchestrator/profile-service.ts';
import { timestamp } from '../schemas.ts';
import { defineOperation } from './operation.ts';

const tags = ['executors'];
const profileName = Joi.string()
  .pattern(PROFILE_NAME_PATTERN)
  .messages({ 'string.pattern.base': '"name" must be 1-64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit' });
const path = Joi.object({ name: profileName.required() });

const profileModel = Joi.object({
  name: Joi.string().required(),
  executor: Joi.string().required(),
  description: Joi.string().allow(null).required(),
  options: Joi.object().unknown(true).required().description('secret options are shown as a marker'),
  source: Joi.string().valid('config', 'api').required().description('config: from the configuration file, read-only here'),
  createdAt: timestamp.allow(null).required(),
  updatedAt: timestamp.allow(null).required(),
}).label('ExecutorProfile');

type Name = { name: string };

export const getExecutorProfiles = defineOperation({
  kind: 'call',
  name: 'getExecutorProfiles',
  mcp: { tool: "list_executor_profiles", title: "List executor profiles", description:
    "List executor profiles: named, ready-made options for an executor (model, mode, \u2026). Pass a name as start_attempt's profile." },
  summary: 'List executor profiles: named options for an executor that an attempt can start from',
  tags,
  http: { method: 'GET', path: '/executor-profiles', status: 200 },
  input: {},
  output: Joi.object({ items: Joi.array().items(profileModel).required() }).label('ExecutorProfileList'),
  errors: [],
  handler: async (_input: Record<string, never>, { services }) => ({ items: await services.profiles.list() }),
});

export const getExecutorProfilesByName = defineOperation({
  kind: 'call',
  name: 'getExecutorProfilesByName',
  mcp: { notATool: "list_executor_profiles answers every profile whole" },
  summary: 'Get an executor profile',
  tags,
  http: { method: 'GET', path: '/executor-profiles/{name}', status: 200 },
  input: { path },
  output: profileModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_PROFILE_NOT_FOUND'],
  handler: ({ name }: Name, { services }) => services.profiles.get(name),
});

export const putExecutorProfilesByName = defineOperation({
  kind: 'call',
  name: 'putExecutorProfilesByName',
  mcp: { notATool: "profiles are a person's configuration, through the REST API or config.json" },
  summary:
    "Create or replace an executor profile; its options are checked against the executor's descriptors (options an attempt must give may be left out). A secret sent back as the marker keeps its stored value",
  tags,
  http: { method: 'PUT', path: '/executor-profiles/{name}', status: 200 },
  input: {
    path,
    body: Joi.object({
      executor: Joi.string().pattern(EXECUTOR_ID_PATTERN).required().description('executor id, see GET /executors'),
      description: Joi.string().max(1000),
      options: Joi.object().unknown(true).description("the executor's options, see GET /executors"),
    }).label('ExecutorProfileInput'),
  },
  output: profileModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_EXECUTOR_NOT_FOUND', 'FORGE_PROFILE_READ_ONLY', 'FORGE_SECRETS_UNAVAILABLE'],
  handler: async ({ name, ...input }: Name & ProfileInput, { services }) => (await services.profiles.put(name, input)).profile,
});

export const deleteExecutorProfilesByName = defineOperation({
  kind: 'call',
  name: 'deleteExecutorProfilesByName',
  mcp: { notATool: "profiles are a person's configuration, through the REST API or config.json" },
  summary: 'Delete an executor profile made through the API; attempts started from it keep their options',
  tags,
  http: { method: 'DELETE', path: '/executor-profiles/{name}', status: 204 },
  input: { path },
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_PROFILE_NOT_FOUND', 'FORGE_PROFILE_READ_ONLY'],
  handler: ({ name }: Name, { services }) => services.profiles.delete(name),
});

export const executorProfileOperations = [getExecutorProfiles, getExecutorProfilesByName, putExecutorProfilesByName, deleteExecutorProfilesByName];
