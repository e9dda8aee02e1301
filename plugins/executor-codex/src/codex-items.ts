import {
  arrayAt,
  isRecord,
  numberAt,
  recordAt,
  relativeToWorktree,
  shortLine,
  stringAt,
  stringsAt,
  truncate,
  type ExecutorEvent,
  type FileChangeEvent,
  type JsonRecord,
  type ToolActionKind,
  type ToolCallEvent,
  type ToolResultEvent,
} from '@forge-core/sdk';

/** Caps on what one event carries from codex: a command's output, a file's diff. */
const MAX_OUTPUT_LENGTH = 100_000;
const MAX_DIFF_LENGTH = 20_000;

/** The item types that are tool calls: announced at item/started, resolved at item/completed. */
const TOOL_ITEMS = new Set(['commandExecution', 'fileChange', 'mcpToolCall']);

interface PatchChange {
  path: string;
  kind: string;
  movePath: string | undefined;
  diff: string;
}

/** PatchChangeKind: `{type: "update", move_path}` in codex 0.171, a bare "update" in older ones. */
function patchChanges(item: JsonRecord, roots: readonly string[]): PatchChange[] {
  return (arrayAt(item, 'changes') ?? []).filter(isRecord).flatMap((change) => {
    const file = stringAt(change, 'path');
    if (file === undefined || file === '') return [];
    const kindValue = change['kind'];
    const kind = typeof kindValue === 'string' ? kindValue : (stringAt(recordAt(change, 'kind'), 'type') ?? 'update');
    const movePath = stringAt(recordAt(change, 'kind'), 'move_path');
    return [{ path: relativeToWorktree(file, roots), kind, movePath: movePath === undefined ? undefined : relativeToWorktree(movePath, roots), diff: stringAt(change, 'diff') ?? '' }];
  });
}

function fileChangeEvent(change: PatchChange): FileChangeEvent {
  if (change.kind === 'add') return { type: 'file_change', path: change.path, change: 'added' };
  if (change.kind === 'delete') return { type: 'file_change', path: change.path, change: 'deleted' };
  if (change.movePath !== undefined) return { type: 'file_change', path: change.movePath, change: 'renamed', oldPath: change.path };
  return { type: 'file_change', path: change.path, change: 'modified' };
}

/** WebSearchAction: a search, or a page opened or searched in (camelCase in v2, snake_case before). */
function webSearchCall(id: string, item: JsonRecord): ToolCallEvent {
  const action = recordAt(item, 'action');
  const url = stringAt(action, 'url');
  const kind: ToolActionKind = url !== undefined ? 'web_fetch' : 'search';
  const query = stringAt(item, 'query') ?? stringAt(action, 'query') ?? '';
  return { type: 'tool_call', callId: id, tool: 'webSearch', action: kind, summary: shortLine(url ?? query), input: { query, ...(action === undefined ? {} : { action }) } };
}

/** The text of an MCP tool's result: its text blocks, else the result as JSON. */
function mcpResultText(item: JsonRecord): string | undefined {
  const error = recordAt(item, 'error');
  if (error !== undefined) return stringAt(error, 'message') ?? JSON.stringify(error);
  const result = recordAt(item, 'result');
  if (result === undefined) return undefined;
  const texts = (arrayAt(result, 'content') ?? []).filter(isRecord).flatMap((block) => (block['type'] === 'text' && typeof block['text'] === 'string' ? [block['text']] : []));
  return truncate(texts.length > 0 ? texts.join('\n') : JSON.stringify(result), MAX_OUTPUT_LENGTH);
}

function commandResult(id: string, item: JsonRecord): ToolResultEvent {
  const status = stringAt(item, 'status');
  const exitCode = numberAt(item, 'exitCode');
  if (status === 'declined') return { type: 'tool_result', callId: id, isError: true, output: 'The command was declined.' };
  const output = truncate(stringAt(item, 'aggregatedOutput') ?? '', MAX_OUTPUT_LENGTH);
  const failed = status !== 'completed' || (exitCode !== undefined && exitCode !== 0);
  const exitNote = exitCode !== undefined && exitCode !== 0 ? `${output === '' ? '' : '\n'}(exit code ${exitCode})` : '';
  return { type: 'tool_result', callId: id, isError: failed, output: `${output}${exitNote}` };
}

function fileChangeResult(id: string, item: JsonRecord): ToolResultEvent {
  const status = stringAt(item, 'status');
  if (status === 'completed') return { type: 'tool_result', callId: id, isError: false };
  return { type: 'tool_result', callId: id, isError: true, output: status === 'declined' ? 'The change was declined.' : 'Codex could not apply the change.' };
}

/**
 * Codex's items (item/started, item/completed) and plan updates as events. A tool item yields
 * its `tool_call` when it starts, so an approval for it can name the call, and its
 * `tool_result` (with the files a patch changed) when it completes. Paths become relative to the
 * worktree.
 */
export class CodexItems {
  readonly #roots: readonly string[];
  readonly #announced = new Set<string>();
  readonly #paths = new Map<string, string[]>();
  #lastMessage: string | undefined;
  #planUpdates = 0;

  constructor(roots: readonly string[]) {
    this.#roots = roots;
  }

  /** The last thing the agent said: the run's summary. */
  get lastMessage(): string | undefined {
    return this.#lastMessage;
  }

  /** The files a file-change item touches, relative to the worktree, for its approval. */
  pathsOf(itemId: string): readonly string[] {
    return this.#paths.get(itemId) ?? [];
  }

  started(item: JsonRecord): ExecutorEvent[] {
    const id = stringAt(item, 'id');
    const type = stringAt(item, 'type');
    if (id === undefined || id === '' || type === undefined || !TOOL_ITEMS.has(type)) return [];
    this.#announced.add(id);
    return [this.#toolCall(id, type, item)];
  }

  completed(item: JsonRecord): ExecutorEvent[] {
    const id = stringAt(item, 'id');
    const type = stringAt(item, 'type');
    if (id === undefined || id === '') return [];
    switch (type) {
      case 'agentMessage': {
        const text = stringAt(item, 'text') ?? '';
        if (text === '') return [];
        this.#lastMessage = text;
        return [{ type: 'message', role: 'assistant', text }];
      }
      case 'reasoning': {
        const summary = stringsAt(item, 'summary');
        const text = (summary.length > 0 ? summary : stringsAt(item, 'content')).join('\n\n');
        return text === '' ? [] : [{ type: 'thinking', text }];
      }
      case 'plan': {
        const text = stringAt(item, 'text') ?? '';
        return [
          { type: 'tool_call', callId: id, tool: 'plan', action: 'plan', summary: shortLine(text), input: { text } },
          { type: 'tool_result', callId: id, isError: false },
        ];
      }
      case 'webSearch':
        return [webSearchCall(id, item), { type: 'tool_result', callId: id, isError: false }];
      case 'commandExecution':
      case 'fileChange':
      case 'mcpToolCall':
        return [...(this.#announced.delete(id) ? [] : [this.#toolCall(id, type, item)]), ...this.#toolResult(id, type, item)];
      default:
        return [];
    }
  }

  /** turn/plan/updated: the agent's to-do list, as a todo tool call of its own. */
  planUpdated(params: JsonRecord): ExecutorEvent[] {
    const steps = (arrayAt(params, 'plan') ?? []).filter(isRecord);
    const explanation = stringAt(params, 'explanation');
    this.#planUpdates += 1;
    const callId = `${stringAt(params, 'turnId') ?? 'turn'}:plan:${this.#planUpdates}`;
    const done = steps.filter((step) => step['status'] === 'completed').length;
    return [
      { type: 'tool_call', callId, tool: 'update_plan', action: 'todo', summary: `${done} of ${steps.length} steps completed`, input: { ...(explanation ? { explanation } : {}), plan: steps } },
      { type: 'tool_result', callId, isError: false },
    ];
  }

  #toolCall(id: string, type: string, item: JsonRecord): ToolCallEvent {
    if (type === 'commandExecution') {
      const command = stringAt(item, 'command') ?? '';
      const cwd = stringAt(item, 'cwd');
      return { type: 'tool_call', callId: id, tool: 'commandExecution', action: 'command', summary: shortLine(command), input: { command, ...(cwd === undefined ? {} : { cwd }) } };
    }
    if (type === 'fileChange') {
      const changes = patchChanges(item, this.#roots);
      const paths = changes.map((change) => change.movePath ?? change.path);
      this.#paths.set(id, paths);
      const input = { changes: changes.map(({ path, kind, movePath, diff }) => ({ path, kind, ...(movePath === undefined ? {} : { movePath }), diff: truncate(diff, MAX_DIFF_LENGTH) })) };
      return { type: 'tool_call', callId: id, tool: 'fileChange', action: 'file_edit', summary: shortLine(paths.join(', ')), input };
    }
    const server = stringAt(item, 'server') ?? 'mcp';
    const tool = `${server}/${stringAt(item, 'tool') ?? 'tool'}`;
    return { type: 'tool_call', callId: id, tool, action: 'other', summary: tool, input: item['arguments'] ?? {} };
  }

  #toolResult(id: string, type: string, item: JsonRecord): ExecutorEvent[] {
    if (type === 'commandExecution') return [commandResult(id, item)];
    if (type === 'fileChange') {
      const applied = stringAt(item, 'status') === 'completed' ? patchChanges(item, this.#roots).map(fileChangeEvent) : [];
      return [fileChangeResult(id, item), ...applied];
    }
    const failed = stringAt(item, 'status') === 'failed' || recordAt(item, 'error') !== undefined;
    const output = mcpResultText(item);
    return [{ type: 'tool_result', callId: id, isError: failed, ...(output === undefined ? {} : { output }) }];
  }
}
