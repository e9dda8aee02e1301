import { ForgeError } from '@forge-core/sdk';
import { ProtocolError, ProtocolErrorCode, type GetPromptResult, type ListPromptsResult, type Prompt } from '@modelcontextprotocol/server';
import { getAttemptsByAttemptIdDiff } from '../api/operations/attempts.ts';
import { ID_PATTERN } from '../store/ids.ts';
import type { CallOp, OperationInvoker } from './operation-invoker.ts';
import { readResource } from './resources.ts';
import { resourceUri } from './resource-uris.ts';

/**
 * Ready-made requests a person picks in their MCP client (often as a slash command): plan a goal
 * into tasks and run them, or review what an attempt did. They only phrase the work; the model
 * does it with the tools.
 */
const PROMPTS: Prompt[] = [
  {
    name: 'plan_work',
    title: 'Plan and run work in a project',
    description: 'Split a goal into Forge Core tasks and have agents carry them out one by one, reviewing and merging each.',
    arguments: [
      { name: 'projectId', description: 'the project (list_projects gives the ids)', required: true },
      { name: 'goal', description: 'what should be achieved, in your words', required: true },
    ],
  },
  {
    name: 'review_attempt',
    title: 'Review an attempt',
    description: "Review an agent's attempt: its diff and the end of its log, then merge it or ask for changes.",
    arguments: [{ name: 'attemptId', description: 'the attempt to review', required: true }],
  },
];

export function listPrompts(): ListPromptsResult {
  return { prompts: PROMPTS };
}

export async function getPrompt(invoke: OperationInvoker, name: string, args: Record<string, string> | undefined): Promise<GetPromptResult> {
  const prompt = PROMPTS.find((p) => p.name === name);
  if (!prompt) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${name}. prompts/list names the prompts.`);
  const given = args ?? {};
  for (const argument of prompt.arguments ?? []) {
    if (argument.required && !given[argument.name]?.trim()) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `${name} needs ${argument.name}: ${argument.description}.`);
  }
  try {
    return name === 'plan_work' ? await planWork(invoke, given['projectId']!, given['goal']!) : await reviewAttempt(invoke, given['attemptId']!);
  } catch (error) {
    if (error instanceof ForgeError) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `${error.code}: ${error.message}`);
    throw error;
  }
}

async function planWork(invoke: OperationInvoker, projectId: string, goal: string): Promise<GetPromptResult> {
  const project = await embedded(invoke, resourceUri({ kind: 'project', id: requireId(projectId, 'projectId') }));
  return {
    description: 'Plan a goal into tasks and run them',
    messages: [
      project,
      text(
        `Carry out this goal in the Forge Core project above:\n\n${goal}\n\n` +
          'Split it into tasks small enough for one agent each, in the order they can be done. Create each with create_task ' +
          '(its description says what to change and how to check it). Then, one task at a time: start_attempt with an ' +
          'available executor (list_executors), wait_for_attempt until it finishes (answer approvals it reports with ' +
          'answer_approval), read get_attempt_diff, and merge_attempt when the change is right, or follow_up saying what ' +
          'to fix. Tell me what was done at the end.',
      ),
    ],
  };
}

async function reviewAttempt(invoke: OperationInvoker, attemptId: string): Promise<GetPromptResult> {
  const id = requireId(attemptId, 'attemptId');
  const log = await embedded(invoke, resourceUri({ kind: 'attemptLog', id }));
  const diff = (await invoke(getAttemptsByAttemptIdDiff as CallOp, { attemptId: id, includePatch: true })) as { patch: string; truncated: boolean };
  return {
    description: `Review attempt ${id}`,
    messages: [
      log,
      {
        role: 'user',
        content: { type: 'resource', resource: { uri: `${resourceUri({ kind: 'attempt', id })}/diff`, mimeType: 'text/x-diff', text: diff.patch } },
      },
      text(
        `Review the work of attempt ${id}: the end of its log and its diff${diff.truncated ? ' (cut short; get_attempt_diff has the files)' : ''} are above. ` +
          'Check that it does what its task asks, and nothing else. If it is right, merge_attempt; if not, follow_up with what to change.',
      ),
    ],
  };
}

function text(body: string): GetPromptResult['messages'][number] {
  return { role: 'user', content: { type: 'text', text: body } };
}

async function embedded(invoke: OperationInvoker, uri: string): Promise<GetPromptResult['messages'][number]> {
  const [contents] = (await readResource(invoke, uri)).contents;
  return { role: 'user', content: { type: 'resource', resource: contents! } };
}

function requireId(value: string, name: string): string {
  if (!ID_PATTERN.test(value)) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `${name} must be a UUID, got "${value.slice(0, 80)}".`);
  return value;
}
