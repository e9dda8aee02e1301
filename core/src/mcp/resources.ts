import { ForgeError } from '@forge-core/sdk';
import {
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  type ListResourcesResult,
  type ListResourceTemplatesResult,
  type ReadResourceResult,
} from '@modelcontextprotocol/server';
import type { OperationServices } from '../api/operations/operation.ts';
import { ID_PATTERN } from '../store/ids.ts';
import { CURSOR_PATTERN } from '../store/page.ts';
import { parseResourceUri, RESOURCE_KINDS, resourceTemplates, resourceUri, type ResourceRef } from './resource-uris.ts';

// What the log resource shows: enough to see where the agent is; read_attempt_log pages the rest.
const LOG_TAIL_ENTRIES = 100;
const PROJECTS_PER_PAGE = 100;
const MIME = 'application/json';

export function listResourceTemplates(): ListResourceTemplatesResult {
  return { resourceTemplates: RESOURCE_KINDS.map((kind) => ({ ...resourceTemplates[kind], mimeType: MIME })) };
}

/** The projects, a page at a time; tasks, attempts and logs are reached through the templates and the tools' links. */
export async function listResources(services: OperationServices, cursor: string | undefined): Promise<ListResourcesResult> {
  if (cursor !== undefined && !CURSOR_PATTERN.test(cursor)) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid cursor: ${cursor.slice(0, 80)}`);
  const page = await services.projects.list({ cursor, limit: PROJECTS_PER_PAGE });
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
export async function readResource(services: OperationServices, uri: string): Promise<ReadResourceResult> {
  const ref = parseResourceUri(uri);
  if (!ref || !ID_PATTERN.test(ref.id)) throw new ResourceNotFoundError(uri);
  try {
    return { contents: [{ uri, mimeType: MIME, text: JSON.stringify(await contentOf(services, ref)) }] };
  } catch (error) {
    if (error instanceof ForgeError && error.code === 'FORGE_NOT_FOUND') throw new ResourceNotFoundError(uri);
    throw error;
  }
}

async function contentOf(services: OperationServices, { kind, id }: ResourceRef): Promise<unknown> {
  switch (kind) {
    case 'project':
      return services.projects.get(id);
    case 'task':
      return services.tasks.get(id);
    case 'attempt':
      return services.attempts.get(id);
    case 'attemptLog': {
      const [attempt, page] = await Promise.all([services.attempts.get(id), services.logs.page(id, { after: 0, limit: LOG_TAIL_ENTRIES, tail: true })]);
      return { attemptId: id, state: attempt.state, items: page.items };
    }
  }
}

/** Whether a URI is one a client may subscribe to: any of our resource kinds, with a well-formed id. */
export function isSubscribable(uri: string): boolean {
  const ref = parseResourceUri(uri);
  return ref !== null && ID_PATTERN.test(ref.id);
}
