/**
 * The MCP resources of Forge Core, one URI scheme for all: a project, a task, an attempt, and an
 * attempt's log. Tool results link to them; clients read them and subscribe to their changes.
 */
export const RESOURCE_KINDS = ['project', 'task', 'attempt', 'attemptLog'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export interface ResourceRef {
  kind: ResourceKind;
  id: string;
}

export const resourceTemplates: Record<ResourceKind, { uriTemplate: string; name: string; title: string; description: string }> = {
  project: {
    uriTemplate: 'forge://projects/{projectId}',
    name: 'project',
    title: 'Project',
    description: 'A project: its repository, default branch, scripts and concurrency cap (JSON).',
  },
  task: {
    uriTemplate: 'forge://tasks/{taskId}',
    name: 'task',
    title: 'Task',
    description: 'A task: title, description, status and parent (JSON). Updated when any of them changes.',
  },
  attempt: {
    uriTemplate: 'forge://attempts/{attemptId}',
    name: 'attempt',
    title: 'Attempt',
    description: "An attempt of an agent on a task: state, branch, error, merge commit (JSON). Updated on every state change.",
  },
  attemptLog: {
    uriTemplate: 'forge://attempts/{attemptId}/log',
    name: 'attempt-log',
    title: 'Attempt log',
    description:
      "The last entries of an attempt's log, with the attempt's state (JSON). Updated as the agent works; read_attempt_log pages through the whole log.",
  },
};

const PATTERNS: [ResourceKind, RegExp][] = [
  ['project', /^forge:\/\/projects\/([^/?#]+)$/],
  ['task', /^forge:\/\/tasks\/([^/?#]+)$/],
  ['attempt', /^forge:\/\/attempts\/([^/?#]+)$/],
  ['attemptLog', /^forge:\/\/attempts\/([^/?#]+)\/log$/],
];

export function resourceUri({ kind, id }: ResourceRef): string {
  return resourceTemplates[kind].uriTemplate.replace(/\{\w+\}/, id);
}

/** The resource a URI names, or null when it names none of ours. */
export function parseResourceUri(uri: string): ResourceRef | null {
  for (const [kind, pattern] of PATTERNS) {
    const id = pattern.exec(uri)?.[1];
    if (id === undefined) continue;
    try {
      return { kind, id: decodeURIComponent(id) };
    } catch {
      return null; // malformed percent-encoding names nothing
    }
  }
  return null;
}

/** A URI of ours in the one form updates name it (a client may percent-encode it otherwise); any other as it is. */
export function canonicalResourceUri(uri: string): string {
  const ref = parseResourceUri(uri);
  return ref ? resourceUri(ref) : uri;
}
