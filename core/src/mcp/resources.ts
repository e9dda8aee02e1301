import { ForgeError } from '@forge-core/sdk';
import {
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  type ListResourcesResult,
  type ListResourceTemplatesResult,
  type ReadResourceResult,
} from '@modelcontextprotocol/server';
import { getAttemptsByAttemptId } from '../api/operations/attempts.ts';
import { getAttemptsByAttemptIdLogs } from '../api/operations/logs.ts';
import { getProjects, getProjectsByProjectId } from '../api/operations/projects.ts';
import { getTasksByTaskId } from '../api/operations/tasks.ts';
import type { Project } from '../store/project-store.ts';
import { ID_PATTERN } from '../store/ids.ts';
import { CURSOR_PATTERN, type Page } from '../store/page.ts';
import type { CallOp, OperationInvoker } from './operation-invoker.ts';
import { parseResourceUri, RESOURCE_KINDS, resourceTemplates, resourceUri, type ResourceRef } from './resource-uris.ts';

// What the log resource shows: enough to see where the agent is; read_attempt_log pages the rest.
const LOG_TAIL_ENTRIES = 100;
const PROJECTS_PER_PAGE = 100;
const MIME = 'application/json';

export function listResourceTemplates(): ListResourceTemplatesResult {
  return { resourceTemplates: RESOURCE_KINDS.map((kind) => ({ ...resourceTemplates[kind], mimeType: MIME })) };
}

/** The projects, a page at a time; tasks, attempts and logs are reached through the templates and the tools' links. */
export async function listResources(invoke: OperationInvoker, cursor: string | undefined): Promise<ListResourcesResult> {
  if (cursor !== undefined && !CURSOR_PATTERN.test(cursor)) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid cursor: ${cursor.slice(0, 80)}`);
  let page: Page<Project>;
  try {
    page = (await invoke(getProjects as CallOp, { ...(cursor && { cursor }), limit: PROJECTS_PER_PAGE })) as Page<Project>;
  } catch (error) {
    // A cursor this server never gave out is the client's mistake, as a malformed one is.
    if (error instanceof ForgeError && error.code === 'FORGE_VALIDATION_FAILED') throw new ProtocolError(ProtocolErrorCode.InvalidParams, error.message);
    throw error;
  }
  return {
    resources: page.items.map((project) => ({
      uri: resourceUri({ kind: 'project', id: project.id }),
      name: project.name,
      title: `Project ${project.name}`,
      description: `${project.repoPath} (default branch ${project.defaultBranch})`,
      mimeType: MIME,
    })),
    ...(page.nextCursor && { nextCursor: page.nextCursor }),
  };
}

/** Reads a resource as JSON; a URI that names nothing of ours, or something gone, is not found. */
export async function readResource(invoke: OperationInvoker, uri: string): Promise<ReadResourceResult> {
  const ref = parseResourceUri(uri);
  if (!ref || !ID_PATTERN.test(ref.id)) throw new ResourceNotFoundError(uri);
  try {
    return { contents: [{ uri, mimeType: MIME, text: JSON.stringify(await contentOf(invoke, ref)) }] };
  } catch (error) {
    if (!(error instanceof ForgeError)) throw error;
    if (error.code === 'FORGE_NOT_FOUND') throw new ResourceNotFoundError(uri);
    throw new ProtocolError(ProtocolErrorCode.InternalError, `${error.code}: ${error.message}`, { uri });
  }
}

/** Read through the catalogue's own operations, so a resource says what the matching tool says. */
async function contentOf(invoke: OperationInvoker, { kind, id }: ResourceRef): Promise<unknown> {
  switch (kind) {
    case 'project':
      return invoke(getProjectsByProjectId as CallOp, { projectId: id });
    case 'task':
      return invoke(getTasksByTaskId as CallOp, { taskId: id });
    case 'attempt':
      return invoke(getAttemptsByAttemptId as CallOp, { attemptId: id });
    case 'attemptLog': {
      const [attempt, page] = await Promise.all([
        invoke(getAttemptsByAttemptId as CallOp, { attemptId: id }) as Promise<{ state: string }>,
        invoke(getAttemptsByAttemptIdLogs as CallOp, { attemptId: id, after: 0, limit: LOG_TAIL_ENTRIES, tail: true }) as Promise<{ items: unknown[] }>,
      ]);
      return { attemptId: id, state: attempt.state, items: page.items };
    }
  }
}
