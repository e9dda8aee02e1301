import type { McpServer } from '@forge-core/sdk';
import { getAttemptsByAttemptId } from '../api/operations/attempts.ts';
import { getTasksByTaskId } from '../api/operations/tasks.ts';
import { ID_PATTERN } from '../store/ids.ts';
import type { CallOp, OperationInvoker } from './operation-invoker.ts';

/** The name agents see Forge Core's own MCP server under; a configured server of that name replaces it. */
export const OWN_MCP_SERVER_NAME = 'forge-core';
const ATTEMPT_PARAM = 'attempt';

/**
 * Forge Core's own MCP server, offered to every agent run beside the configured ones, so an
 * agent can create and follow subtasks of its own task. Its URL names the attempt, which the
 * server turns into instructions saying which task the agent works on.
 */
export class OwnMcpOffer {
  private endpoint: string | null = null;

  constructor(
    private readonly options: { enabled: boolean; token: string | undefined },
  ) {}

  /** Known once the server listens (its port may have been picked then). */
  listening(serverUrl: string): void {
    this.endpoint = `${serverUrl}/mcp`;
  }

  serversFor(attemptId: string, configured: readonly McpServer[]): readonly McpServer[] {
    if (!this.options.enabled || !this.endpoint || configured.some((server) => server.name === OWN_MCP_SERVER_NAME)) return configured;
    const { token } = this.options;
    return [
      {
        name: OWN_MCP_SERVER_NAME,
        transport: 'http',
        url: `${this.endpoint}?${ATTEMPT_PARAM}=${attemptId}`,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      },
      ...configured,
    ];
  }
}

/** The attempt an agent's MCP request names (see OwnMcpOffer), if any. */
export function attemptOfRequest(request: Request | undefined): string | undefined {
  if (!request) return undefined;
  const id = new URL(request.url).searchParams.get(ATTEMPT_PARAM);
  return id !== null && ID_PATTERN.test(id) ? id : undefined;
}

/** What an agent's MCP client is told about its own place: its attempt, task and project. */
export async function agentInstructions(invoke: OperationInvoker, attemptId: string | undefined): Promise<string | undefined> {
  if (!attemptId) return undefined;
  try {
    const attempt = (await invoke(getAttemptsByAttemptId as CallOp, { attemptId })) as { taskId: string };
    const task = (await invoke(getTasksByTaskId as CallOp, { taskId: attempt.taskId })) as { id: string; projectId: string; title: string };
    return (
      `You are the agent of attempt ${attemptId} on task ${task.id} ("${task.title.slice(0, 200)}") in project ${task.projectId}. ` +
      `To split your work, create_task with projectId ${task.projectId} and parentTaskId ${task.id}, start_attempt on it, and wait_for_attempt; ` +
      `list_tasks with projectId ${task.projectId} shows the subtasks and their status. Do not merge or stop your own attempt.`
    );
  } catch {
    return undefined; // gone meanwhile: the general instructions suffice
  }
}
