import Joi from 'joi';
import { id, timestamp } from '../schemas.ts';
import { defineOperation } from './operation.ts';

const path = Joi.object({ attemptId: id('attempt').required() });
const tags = ['dev-server'];
const notATool = { notATool: "a dev server is for a person previewing the attempt's work in a browser; an agent runs what it needs in its own worktree" };

type AttemptId = { attemptId: string };

const devServerModel = Joi.object({
  processId: Joi.string().required().description('its process (kind dev) among the attempt’s processes'),
  attemptId: Joi.string().required(),
  state: Joi.string()
    .valid('starting', 'running', 'stopped', 'exited')
    .required()
    .description('starting: no port seen yet; running: its port is known; stopped: stopped by Forge (request, task closed, server stopped); exited: it ended by itself'),
  pid: Joi.number().integer().allow(null).required(),
  port: Joi.number().integer().allow(null).required().description('where it listens: the first port its output announces, or PORT once that accepts connections'),
  url: Joi.string().allow(null).required(),
  assignedPort: Joi.number().integer().allow(null).required().description('the free port it was given as PORT; null for one that ran under an earlier server'),
  startedAt: timestamp.required(),
  finishedAt: timestamp.allow(null).required(),
  exitCode: Joi.number().integer().allow(null).required(),
  error: Joi.string().allow(null).required().description('why it ended, when it did not end by itself with code 0'),
}).label('DevServer');

export const postAttemptsByAttemptIdDevServer = defineOperation({
  kind: 'call',
  feature: 'devServer',
  name: 'postAttemptsByAttemptIdDevServer',
  mcp: notATool,
  summary:
    "Starts the project's dev script in the attempt's worktree (a running attempt's, or one a finished attempt still has), with PORT set to a free port; its output goes to the attempt's log. At most one per attempt: answers the running one if there is one. Needs the devServer feature",
  tags,
  http: { method: 'POST', path: '/attempts/{attemptId}/dev-server', status: 202 },
  input: { path },
  output: devServerModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND', 'FORGE_FEATURE_DISABLED', 'FORGE_CONFLICT', 'FORGE_UNPROCESSABLE'],
  handler: ({ attemptId }: AttemptId, { services }) => services.devServers.start(attemptId),
});

export const getAttemptsByAttemptIdDevServer = defineOperation({
  kind: 'call',
  feature: 'devServer',
  name: 'getAttemptsByAttemptIdDevServer',
  mcp: notATool,
  summary: "The attempt's dev server: the running one with its port and URL, or how the last one ended; 404 when none has run. Needs the devServer feature",
  tags,
  http: { method: 'GET', path: '/attempts/{attemptId}/dev-server', status: 200 },
  input: { path },
  output: devServerModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND', 'FORGE_FEATURE_DISABLED'],
  handler: ({ attemptId }: AttemptId, { services }) => services.devServers.get(attemptId),
});

export const deleteAttemptsByAttemptIdDevServer = defineOperation({
  kind: 'call',
  feature: 'devServer',
  name: 'deleteAttemptsByAttemptIdDevServer',
  mcp: notATool,
  summary:
    "Stops the attempt's dev server: SIGTERM to its process group, SIGKILL 3 s later; answers how it ended (one that had ended already is answered as it is). Needs the devServer feature",
  tags,
  http: { method: 'DELETE', path: '/attempts/{attemptId}/dev-server', status: 200 },
  input: { path },
  output: devServerModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND', 'FORGE_FEATURE_DISABLED'],
  handler: ({ attemptId }: AttemptId, { services }) => services.devServers.stop(attemptId),
});

export const devServerOperations = [postAttemptsByAttemptIdDevServer, getAttemptsByAttemptIdDevServer, deleteAttemptsByAttemptIdDevServer];
