import Joi from 'joi';
import { EXECUTOR_CAPABILITIES } from '@forge-core/sdk';
import { timestamp } from '../schemas.ts';
import { defineOperation } from './operation.ts';

const executorModel = Joi.object({
  id: Joi.string().required(),
  displayName: Joi.string().required(),
  description: Joi.string().allow(null).required(),
  package: Joi.string().required(),
  version: Joi.string().required(),
  contractVersion: Joi.string().required(),
  // Named one by one: a pattern of keys would not survive the conversion to JSON Schema that MCP clients check answers with.
  capabilities: Joi.object(Object.fromEntries(EXECUTOR_CAPABILITIES.map((flag) => [flag, Joi.boolean().required()]))).required(),
  available: Joi.boolean().required(),
  reason: Joi.string().allow(null).required().description('why it cannot run here and what to install or configure; null when available'),
  detectedVersion: Joi.string().allow(null).required().description('the version its detection found, when it reports one'),
  detectedAt: timestamp.required().description('when availability was last detected: at start, or by the last refresh'),
  optionsSchema: Joi.object().unknown(true).required().description('JSON Schema of the options a start request takes'),
}).label('Executor');

export const getExecutors = defineOperation({
  kind: 'call',
  name: 'getExecutors',
  mcp: { tool: "list_executors", title: "List agents that can run", description:
    "List the executors (agent CLIs: claude-code, codex, gemini, \u2026) installed in this server, whether each can run here (available) and, if not, why and what to install, and the options each takes. Use an available one's id as start_attempt's executor." },
  summary: 'The installed executors, whether each can run here (and if not, what to install), and the options each takes',
  tags: ['executors'],
  http: { method: 'GET', path: '/executors', status: 200 },
  input: {
    query: Joi.object({
      refresh: Joi.boolean()
        .default(false)
        .description('detect every executor again first (within the plugin hook timeout), e.g. after installing a CLI; attempt starts then use the new answers'),
    }),
  },
  output: Joi.object({ items: Joi.array().items(executorModel).required() }).label('ExecutorList'),
  errors: ['FORGE_VALIDATION_FAILED'],
  handler: async ({ refresh }: { refresh: boolean }, { services }) => ({
    items: refresh ? await services.packs.refreshExecutors() : services.packs.executors(),
  }),
});

export const executorOperations = [getExecutors];
