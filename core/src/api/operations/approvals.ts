import Joi from 'joi';
import type { ApprovalAnswer, ApprovalService } from '../../orchestrator/approval-service.ts';
import { approvalState, cursor, id, limit, pageOf, timestamp } from '../schemas.ts';
import { defineOperation } from './operation.ts';

const tags = ['approvals'];
const path = Joi.object({ approvalId: id('approval').required() });

export const approvalModel = Joi.object({
  id: Joi.string().required(),
  attemptId: Joi.string().required(),
  processId: Joi.string().required(),
  state: approvalState.required().description('pending until decided; expired: nobody answered in time and the agent was told no'),
  tool: Joi.string().required().description('the tool the agent wants to use, as the agent names it'),
  input: Joi.any().description('what the agent would call the tool with'),
  callId: Joi.string().description('the callId of the matching tool_call log entry'),
  summary: Joi.string().description('one line for a person: the command, the file'),
  choices: Joi.array()
    .items(Joi.object({ id: Joi.string().required(), label: Joi.string().allow('').required(), kind: Joi.string().required() }))
    .description("the agent's own answers; the decision picks the matching one"),
  scope: Joi.string().valid('once', 'always').allow(null).required(),
  decidedBy: Joi.string().valid('user', 'rule', 'timeout', 'cancelled').allow(null).required(),
  reason: Joi.string().allow(null, '').required(),
  createdAt: timestamp.required(),
  expiresAt: timestamp.required().description('when a pending approval expires (denied)'),
  decidedAt: timestamp.allow(null).required(),
}).label('Approval');

type ApprovalId = { approvalId: string };
export type ListApprovalsInput = Parameters<ApprovalService['list']>[0] & Parameters<ApprovalService['list']>[1];

export const getApprovals = defineOperation({
  kind: 'call',
  name: 'getApprovals',
  mcp: { tool: "list_approvals", title: "List approvals agents asked for", description:
    "List the approvals agents asked for before using a tool (running a command, editing a file), oldest first; state pending gives those waiting for an answer, attemptId those of one attempt. Answer each with answer_approval." },
  summary: 'List approvals agents asked for, oldest first; state=pending gives those waiting for an answer',
  tags,
  http: { method: 'GET', path: '/approvals', status: 200 },
  input: {
    query: Joi.object({ state: approvalState, attemptId: id('attempt'), cursor, limit: limit(1000, 100) }),
  },
  output: pageOf(approvalModel, 'ApprovalPage'),
  errors: ['FORGE_VALIDATION_FAILED'],
  handler: ({ state, attemptId, ...page }: ListApprovalsInput, { services }) => services.approvals.list({ state, attemptId }, page),
});

export const getApprovalsByApprovalId = defineOperation({
  kind: 'call',
  name: 'getApprovalsByApprovalId',
  mcp: { tool: "get_approval", title: "Get an approval", description:
    "Get one approval: the tool the agent wants to use, with what input, the choices it offers and, once decided, the answer and who gave it. answer_approval decides a pending one." },
  summary: 'Get an approval: what the agent asked and, once decided, the answer',
  tags,
  http: { method: 'GET', path: '/approvals/{approvalId}', status: 200 },
  input: { path },
  output: approvalModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND'],
  handler: ({ approvalId }: ApprovalId, { services }) => services.approvals.get(approvalId),
});

export const postApprovalsByApprovalId = defineOperation({
  kind: 'call',
  name: 'postApprovalsByApprovalId',
  mcp: { tool: "answer_approval", title: "Answer an approval", description:
    "Approve or deny a pending approval, once or always (always: the same tool is decided the same way for the rest of that attempt). A reason goes to the agent with a denial. An approval already decided, expired or cancelled is refused with FORGE_INVALID_TRANSITION." },
  summary:
    'Answer a pending approval: approve or deny, once or always (the same tool in this attempt is then decided without asking). One already answered, expired or cancelled answers 409 FORGE_INVALID_TRANSITION saying how it ended',
  tags,
  http: { method: 'POST', path: '/approvals/{approvalId}', status: 200 },
  input: {
    path,
    body: Joi.object({
      decision: Joi.string().valid('approve', 'deny').required(),
      scope: Joi.string().valid('once', 'always').default('once').description('always: the same tool is decided the same way for the rest of the attempt'),
      reason: Joi.string().max(10_000).description('passed to the agent with a denial'),
      attemptId: id('attempt').description('when given, the approval must belong to this attempt (404 otherwise)'),
    }).label('ApprovalAnswer'),
  },
  output: approvalModel,
  errors: ['FORGE_VALIDATION_FAILED', 'FORGE_NOT_FOUND', 'FORGE_INVALID_TRANSITION'],
  handler: ({ approvalId, ...answer }: ApprovalId & ApprovalAnswer, { services }) => services.approvals.answer(approvalId, answer),
});

export const approvalOperations = [getApprovals, getApprovalsByApprovalId, postApprovalsByApprovalId];
