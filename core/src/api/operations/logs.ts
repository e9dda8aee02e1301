import Joi from 'joi';
import type { LogPageQuery } from '../../orchestrator/log-service.ts';
import { id, limit, logEntryModel } from '../schemas.ts';
import { defineOperation } from './operation.ts';

const path = Joi.object({ attemptId: id('attempt').required() });
const after = Joi.number().integer().min(0).default(0).description('return entries with seq greater than this');
const tags = ['logs'];

type AttemptId = { attemptId: string };
export type LogPageInput = AttemptId & LogPageQuery;
export type LogStreamInput = AttemptId & { after: number };

export const getAttemptsByAttemptIdLogs = defineOperation({
  kind: 'call',
  name: 'getAttemptsByAttemptIdLogs',
  mcp: { tool: "read_attempt_log", title: "Read an attempt's log", description:
    "Read an attempt's log: the agent's messages, tool calls, file changes, approvals and script output, in order. Page forward with after (the nextAfter of the previous page), or set tail true for the last limit entries. To follow a running attempt, prefer wait_for_attempt, or subscribe to its log resource." },
  summary: "A page of the attempt's log: its executor events and script output, in order; or, with tail=true, its last entries",
  tags,
  http: { method: 'GET', path: '/attempts/{attemptId}/logs', status: 200 },
  input: {
    path,
    query: Joi.object({
      after,
      limit: limit(1_000, 200),
      processId: id('process'),
      tail: Joi.boolean().description('the last `limit` entries instead of those after `after` (nextAfter is then null)'),
    }),
  },
  output: Joi.object({ items: Joi.array().items(logEntryModel).required(), nextAfter: Joi.number().integer().allow(null).required() }).label('LogPage'),
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND'],
  handler: ({ attemptId, ...query }: LogPageInput, { services }) => services.logs.page(attemptId, query),
});

export const getAttemptsByAttemptIdLogsStream = defineOperation({
  kind: 'stream',
  name: 'getAttemptsByAttemptIdLogsStream',
  mcp: { notATool: "a live Server-Sent Events stream; MCP clients subscribe to the attempt's log resource instead" },
  summary:
    "Live log over Server-Sent Events: `entry` events (id = seq) from `after` or Last-Event-ID on, then live; an `end` event once the attempt has finished. A client that stops reading is disconnected once more than FORGE_SSE_MAX_BUFFER_BYTES wait for it, and resumes with Last-Event-ID",
  tags,
  http: { method: 'GET', path: '/attempts/{attemptId}/logs/stream' },
  input: { path, query: Joi.object({ after }) },
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND'],
  handler: ({ attemptId, after: from }: LogStreamInput, { services, lastEventId }) => services.logs.feed(attemptId, lastEventId ?? from),
});

export const logOperations = [getAttemptsByAttemptIdLogs, getAttemptsByAttemptIdLogsStream];
