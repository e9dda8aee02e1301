import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { ProtocolError, ProtocolErrorCode, Server, type CallToolResult, type ServerContext } from '@modelcontextprotocol/server';
import type { ProgressUpdate } from '../api/operations/operation.ts';
import { operations } from '../api/operations/catalogue.ts';
import { CORE_VERSION } from '../core-package.ts';
import type { ToolCallOutcome } from '../observability/forge-metrics.ts';
import type { OperationInvoker } from './operation-invoker.ts';
import type { ResourceChanges } from './resource-changes.ts';
import { getPrompt, listPrompts } from './prompts.ts';
import { canonicalResourceUri } from './resource-uris.ts';
import { listResources, listResourceTemplates, readResource } from './resources.ts';
import { callTool, toolsOf, type McpTool } from './tools.ts';

/** Every tool, built once from the catalogue: each server instance only looks them up. */
const mcpTools: readonly McpTool[] = toolsOf(operations);
const toolsByName = new Map(mcpTools.map((tool) => [tool.definition.name, tool]));
const toolList = { tools: mcpTools.map((tool) => tool.definition) };

const INSTRUCTIONS = `Forge Core runs coding agents on tasks, each attempt in its own git worktree and branch.
A typical flow: list_projects → create_task → start_attempt (an executor from list_executors) →
wait_for_attempt until finished (answer approvals it reports with answer_approval) →
get_attempt_diff → merge_attempt, or follow_up to ask for changes. Projects, tasks, attempts and
attempt logs are also resources (forge://…) that can be read and subscribed to. The prompts plan_work
and review_attempt phrase the two usual requests.`;

export interface ForgeMcpServerOptions {
  /** Said to the client after the general instructions (an agent's own attempt and task: agent-offer.ts). */
  moreInstructions?: string | undefined;
  /** Runs the operations: in process, or through a running server's REST API. */
  invoke: OperationInvoker;
  logger: Logger;
  /**
   * For an instance that outlives one request (a 2025-era session, a stdio connection): where
   * resource changes come from. The 2025 era sends only what the client subscribed to; a
   * 2026-era stdio connection sends all and its listen router keeps what each listen asked for.
   */
  changes?: { source: ResourceChanges; era: 'legacy' | 'modern' } | undefined;
  /** Told how long each tool call took and how it ended (the server's metrics). */
  onToolCall?: ((tool: string, outcome: ToolCallOutcome, seconds: number) => void) | undefined;
}

/**
 * One MCP server instance over the operation catalogue: the tools, the resources, and their
 * subscriptions. Built per serving unit (an HTTP request of the 2026 era, a 2025 session, a
 * stdio connection) by the one factory both eras share, so they cannot drift apart.
 */
export function createForgeMcpServer({ invoke, logger, changes, moreInstructions, onToolCall }: ForgeMcpServerOptions): Server {
  const server = new Server(
    { name: 'forge-core', title: 'Forge Core', version: CORE_VERSION },
    {
      capabilities: { tools: { listChanged: false }, resources: { subscribe: true, listChanged: false }, prompts: { listChanged: false } },
      instructions: moreInstructions ? `${INSTRUCTIONS}\n\n${moreInstructions}` : INSTRUCTIONS,
    },
  );
  server.setRequestHandler('tools/list', () => toolList);
  server.setRequestHandler('tools/call', async (request, ctx) => {
    const tool = toolsByName.get(request.params.name);
    if (!tool) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${request.params.name}. tools/list names the tools.`);
    // Every tool call of this server comes through here: the one place to time them.
    const began = performance.now();
    const took = () => (performance.now() - began) / 1000;
    let result: CallToolResult;
    try {
      result = await callTool(tool, request.params.arguments, invoke, { signal: ctx.mcpReq.signal, progress: progressOf(ctx) }, logger);
    } catch (cancelled) {
      onToolCall?.(tool.definition.name, 'cancelled', took());
      throw cancelled;
    }
    onToolCall?.(tool.definition.name, result.isError ? 'error' : 'ok', took());
    return server.projectCallToolResult(result, tool.definition.outputSchema);
  });
  server.setRequestHandler('prompts/list', () => listPrompts());
  server.setRequestHandler('prompts/get', (request) => getPrompt(invoke, request.params.name, request.params.arguments));
  server.setRequestHandler('resources/templates/list', () => listResourceTemplates());
  server.setRequestHandler('resources/list', (request) => listResources(invoke, request.params?.cursor));
  server.setRequestHandler('resources/read', (request) => readResource(invoke, request.params.uri));

  const subscribed = new Set<string>();
  // Only to something that exists: a typo is said at once, not by a silence.
  // Kept in the form updates name them, however the client spelled it (percent-encoding).
  server.setRequestHandler('resources/subscribe', async (request) => {
    await readResource(invoke, request.params.uri);
    subscribed.add(canonicalResourceUri(request.params.uri));
    return {};
  });
  server.setRequestHandler('resources/unsubscribe', (request) => {
    subscribed.delete(canonicalResourceUri(request.params.uri));
    return {};
  });
  if (changes) {
    const stop = changes.source.subscribe((uri) => {
      if (changes.era === 'modern' || subscribed.has(uri)) {
        server.sendResourceUpdated({ uri }).catch((error: unknown) => logger.debug({ err: error, uri }, 'MCP resource update not delivered'));
      }
    });
    server.onclose = stop;
  }
  return server;
}

/** Progress notifications for a call that asked for them (a progressToken), else none. */
function progressOf(ctx: ServerContext): ((update: ProgressUpdate) => void) | undefined {
  const progressToken = ctx.mcpReq._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  return ({ progress, message }) => {
    void ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress, ...(message && { message }) } }).catch(() => undefined);
  };
}
