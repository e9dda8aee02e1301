import Joi from 'joi';
import type { ReplayPace } from '../../orchestrator/log-service.ts';
import { id } from '../schemas.ts';
import { defineOperation } from './operation.ts';

const path = Joi.object({ attemptId: id('attempt').required() });
const tags = ['logs'];

type AttemptId = { attemptId: string };
export type ReplayInput = AttemptId & { after: number; speed: number | 'max'; maxGapMs: number };

const SPEED_RULE = '"speed" must be a number from 0.1 to 1000 (how many times faster than it happened), or max (all at once)';

export const getAttemptsByAttemptIdLogsReplay = defineOperation({
  kind: 'stream',
  feature: 'replay',
  name: 'getAttemptsByAttemptIdLogsReplay',
  mcp: { notATool: "a Server-Sent Events stream paced for a person watching; MCP clients read the log with read_attempt_log" },
  summary:
    "Replays a finished attempt's log over Server-Sent Events in the live stream's format (`entry` events, id = seq, then `end`), with its original timing: the pauses between entries divided by `speed`, each at most `maxGapMs`; `speed=max` sends it all at once. Resumes after `after` or Last-Event-ID. 409 while the attempt has not finished (follow /logs/stream instead). Needs the replay feature",
  tags,
  http: { method: 'GET', path: '/attempts/{attemptId}/logs/replay' },
  input: {
    path,
    query: Joi.object({
      after: Joi.number().integer().min(0).default(0).description('replay the entries with seq greater than this'),
      speed: Joi.alternatives()
        .try(Joi.number().min(0.1).max(1000), Joi.string().valid('max'))
        .default(1)
        .messages({ 'alternatives.types': SPEED_RULE, 'alternatives.match': SPEED_RULE, 'number.min': SPEED_RULE, 'number.max': SPEED_RULE })
        .description('how many times faster than it happened (0.1 to 1000, default 1), or max for all at once'),
      maxGapMs: Joi.number()
        .integer()
        .min(0)
        .max(3_600_000)
        .default(5_000)
        .description('the longest pause replayed, in the original time (default 5000): an agent that waited 20 minutes takes 5 seconds'),
    }),
  },
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND', 'FORGE_FEATURE_DISABLED', 'FORGE_CONFLICT'],
  handler: async ({ attemptId, after, speed, maxGapMs }: ReplayInput, { services, lastEventId }) => {
    const pace: ReplayPace = speed === 'max' ? 'instant' : { speed, maxGapMs };
    return services.logs.replay(attemptId, lastEventId ?? after, pace);
  },
});

export const getAttemptsByAttemptIdLogsExport = defineOperation({
  kind: 'download',
  feature: 'replay',
  name: 'getAttemptsByAttemptIdLogsExport',
  mcp: { notATool: 'a file download for people and scripts; MCP clients page the log with read_attempt_log' },
  summary:
    "The attempt's log as it is stored now, as JSON lines (application/x-ndjson): one entry a line, shaped as in a log page (seq, processId, ts, kind, payload), no header line; sent as it is read. Needs the replay feature",
  tags,
  http: { method: 'GET', path: '/attempts/{attemptId}/logs/export', contentType: 'application/x-ndjson' },
  input: { path },
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND', 'FORGE_FEATURE_DISABLED'],
  handler: async ({ attemptId }: AttemptId, { services }) => {
    const { filename, lines } = await services.logs.export(attemptId);
    return { filename, body: lines };
  },
});

export const replayOperations = [getAttemptsByAttemptIdLogsReplay, getAttemptsByAttemptIdLogsExport];
