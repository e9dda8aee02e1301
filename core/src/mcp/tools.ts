import type { Logger } from 'pino';
import { ForgeError } from '@forge-core/sdk';
import type { CallToolResult, ResourceLink, Tool, ToolAnnotations } from '@modelcontextprotocol/server';
import type { ErrorBody } from '../api/error-response.ts';
import { jsonSchemaOf, type JsonSchema } from '../api/json-schema.ts';
import type { Operation } from '../api/operations/operation.ts';
import { flatInputOf, validateArguments } from './flat-input.ts';
import type { CallOp, InvokeOptions, OperationInvoker } from './operation-invoker.ts';
import { resourceTemplates, resourceUri, type ResourceRef } from './resource-uris.ts';

/** An operation of the catalogue as an MCP tool: what tools/list shows, and how a call is checked. */
export interface McpTool {
  operation: CallOp;
  definition: Tool;
  /** The joi label of its answer (Attempt, Task, …): which resources an answer links to. */
  outputLabel: string | undefined;
}

/** The tools of the operations that are meant for MCP, in catalogue order. */
export function toolsOf(operations: readonly Operation[]): McpTool[] {
  return operations.flatMap((operation) => {
    if (!('tool' in operation.mcp)) return [];
    if (operation.kind !== 'call') throw new Error(`${operation.name} streams: a stream is offered as a resource, not a tool.`);
    return [toolOf(operation, operation.mcp)];
  });
}

function toolOf(operation: CallOp, { tool, title, description }: { tool: string; title: string; description: string }): McpTool {
  const input = flatInputOf(operation);
  const definition: Tool = {
    name: tool,
    title,
    description,
    inputSchema: objectRoot(jsonSchemaOf(input, 'json')) as Tool['inputSchema'],
    ...(operation.output && { outputSchema: jsonSchemaOf(operation.output, 'json') as Tool['outputSchema'] }),
    annotations: annotationsOf(operation),
  };
  return { operation, definition, outputLabel: (operation.output?.describe().flags as { label?: string } | undefined)?.label };
}

/**
 * MCP tool schemas are objects; a body that may be left out (null) is still given as an object of
 * arguments, and a body's own count of fields (at least one to change) is not the arguments'.
 */
function objectRoot(schema: JsonSchema): JsonSchema {
  const { not: _not, minProperties: _min, ...rest } = schema;
  return { ...rest, type: 'object' };
}

/** What a client may assume before calling: reads change nothing, deletes and stops undo work, a push talks to origin. */
function annotationsOf({ http, name }: CallOp): ToolAnnotations {
  const readOnly = http.method === 'GET';
  return {
    readOnlyHint: readOnly,
    ...(!readOnly && { destructiveHint: http.method === 'DELETE' || name === 'postAttemptsByAttemptIdStop' }),
    ...(!readOnly && { idempotentHint: http.method === 'DELETE' || http.method === 'PUT' }),
    openWorldHint: name === 'postAttemptsByAttemptIdPush',
  };
}

/**
 * Runs a tool: its arguments checked by the operation's own joi schemas, its answer given as
 * structured content (and as JSON text for clients that read only text), with links to the
 * resources it names. A failure is a tool error carrying the REST API's error body, code and
 * message alike; only a cancelled call throws.
 */
export async function callTool(
  tool: McpTool,
  args: Record<string, unknown> | undefined,
  invoke: OperationInvoker,
  options: InvokeOptions,
  logger: Logger,
): Promise<CallToolResult> {
  // Every problem at once: a model fixes them in one go, where a person reads the first.
  const { value, problems } = validateArguments(tool.operation, args ?? {});
  if (problems.length > 0) {
    return errorResult(
      new ForgeError('FORGE_VALIDATION_FAILED', `Invalid arguments for ${tool.definition.name}: ${problems.map((p) => p.message).join('; ')}`, {
        source: 'arguments',
        problems,
      }),
    );
  }
  try {
    const output = await invoke(tool.operation, value, options);
    if (output === undefined) return { content: [{ type: 'text', text: 'Done.' }] };
    // Operations answer plain JSON values (what REST serializes as they are).
    const structured = output as Record<string, unknown>;
    return {
      content: [{ type: 'text', text: JSON.stringify(structured) }, ...linksOf(tool, structured)],
      structuredContent: structured,
    };
  } catch (failure) {
    if (options.signal?.aborted) throw failure;
    if (failure instanceof ForgeError) return errorResult(failure);
    logger.error({ err: failure, tool: tool.definition.name }, 'MCP tool call failed');
    return errorResult(new ForgeError('FORGE_INTERNAL', 'An unexpected error occurred; it has been logged. Please report it.', {}));
  }
}

function errorResult(error: ForgeError): CallToolResult {
  const body: ErrorBody = { error: { code: error.code, message: error.message, details: error.details } };
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(body) }] };
}

/** Links from an answer to the resources it is about: an attempt to itself and its log, a task, a project. */
function linksOf(tool: McpTool, output: Record<string, unknown>): ResourceLink[] {
  const label = tool.outputLabel;
  const refs: ResourceRef[] = [];
  const attempt = label === 'Attempt' ? output : label === 'AttemptWait' ? (output.attempt as Record<string, unknown>) : null;
  if (attempt) refs.push({ kind: 'attempt', id: String(attempt.id) }, { kind: 'attemptLog', id: String(attempt.id) });
  if (label === 'Task') refs.push({ kind: 'task', id: String(output.id) });
  if (label === 'Project') refs.push({ kind: 'project', id: String(output.id) });
  return refs.map((ref) => ({
    type: 'resource_link',
    uri: resourceUri(ref),
    name: `${resourceTemplates[ref.kind].name} ${ref.id}`,
    description: resourceTemplates[ref.kind].description,
    mimeType: 'application/json',
  }));
}
