import type { ContentBlock, SessionUpdate, ToolCallContent, ToolCallLocation, ToolKind } from '@agentclientprotocol/sdk/unstable';
import { isRecord, numberAt, recordAt, relativeToWorktree, shortLine, truncate, type ExecutorEvent, type FileChangeEvent, type ToolActionKind, type UsageEvent } from '@forge-core/sdk';

/** Within the event schema's bounds, with room for the note of what was cut. */
const MAX_TEXT_LENGTH = 99_000;
const MAX_OUTPUT_LENGTH = 10_000;

const ACTION_OF_KIND: Record<ToolKind, ToolActionKind> = {
  read: 'file_read',
  edit: 'file_edit',
  delete: 'file_edit',
  move: 'file_edit',
  search: 'search',
  execute: 'command',
  think: 'other',
  fetch: 'web_fetch',
  switch_mode: 'other',
  other: 'other',
};

/** What we know of one tool call, gathered from its `tool_call` and `tool_call_update`s. */
interface KnownCall {
  kind: ToolKind | undefined;
  diffs: Map<string, { oldText: string | null | undefined; newText: string }>;
  locations: ToolCallLocation[];
  content: ToolCallContent[];
  finished: boolean;
}

/** The text of a content block; other blocks (an image, a resource) are named, not shown. */
function textOf(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'resource_link':
      return `[${block.name}](${block.uri})`;
    case 'resource':
      return 'text' in block.resource ? block.resource.text : `[${block.resource.uri}]`;
    default:
      return `[${block.type}]`;
  }
}

/** Token counts in ACP's `Usage` shape, as a usage event; undefined when there are none. */
export function usageOf(meta: unknown): UsageEvent | undefined {
  const usage = isRecord(meta) ? recordAt(meta, 'usage') : undefined;
  const inputTokens = numberAt(usage, 'inputTokens');
  const outputTokens = numberAt(usage, 'outputTokens');
  if (inputTokens === undefined && outputTokens === undefined) return undefined;
  const cacheReadTokens = numberAt(usage, 'cachedReadTokens');
  const cacheWriteTokens = numberAt(usage, 'cachedWriteTokens');
  return {
    type: 'usage',
    ...(inputTokens === undefined ? {} : { inputTokens }),
    ...(outputTokens === undefined ? {} : { outputTokens }),
    ...(cacheReadTokens === undefined ? {} : { cacheReadTokens }),
    ...(cacheWriteTokens === undefined ? {} : { cacheWriteTokens }),
  };
}

function outputOf(content: readonly ToolCallContent[], rawOutput: unknown, terminalOutput: (id: string) => string | undefined): string | undefined {
  const parts: string[] = [];
  for (const item of content) {
    if (item.type === 'content') parts.push(textOf(item.content));
    else if (item.type === 'terminal') parts.push(terminalOutput(item.terminalId) ?? '');
  }
  const text = parts.filter((part) => part !== '').join('\n');
  if (text !== '') return truncate(text, MAX_OUTPUT_LENGTH);
  if (rawOutput === undefined || rawOutput === null) return undefined;
  return truncate(typeof rawOutput === 'string' ? rawOutput : JSON.stringify(rawOutput), MAX_OUTPUT_LENGTH);
}

/**
 * The agent's `session/update` notifications as our events. Message and thought chunks are
 * merged until something else happens, so a streamed answer is one message; a tool call yields
 * `tool_call` when it first appears and `tool_result` once it completes or fails, and its diffs
 * become `file_change`s only then (a diff shown while asking for permission is not applied yet);
 * a plan is the agent's to-do list, as a `todo` tool call.
 */
export class SessionUpdates {
  readonly #roots: readonly string[];
  readonly #terminalOutput: (id: string) => string | undefined;
  readonly #calls = new Map<string, KnownCall>();
  #chunk: { kind: 'message' | 'thinking'; text: string } | undefined;
  readonly #writtenByClient = new Set<string>();
  #plans = 0;
  #reportedUsage = false;
  /** Calls announced and not yet completed or failed, counted as they go (a long session has many). */
  #running = 0;
  #lastMessage: string | undefined;

  constructor(worktreeRoots: readonly string[], terminalOutput: (id: string) => string | undefined) {
    this.#roots = worktreeRoots;
    this.#terminalOutput = terminalOutput;
  }

  /** Whether a tool call the agent announced has not completed or failed yet. */
  get toolsRunning(): boolean {
    return this.#running > 0;
  }

  /** Whether the agent reported usage along the way; its prompt answer's totals would count it twice. */
  get reportedUsage(): boolean {
    return this.#reportedUsage;
  }

  /** The last thing the agent said, the run's summary. */
  get lastMessage(): string | undefined {
    return this.#lastMessage;
  }

  /** A file the agent wrote through fs/write_text_file, already shown: its tool call's diff is not shown again. */
  writtenByClient(filePath: string): void {
    this.#writtenByClient.add(filePath);
  }

  /** The kind a tool call was announced with, for a permission request that names only its id. */
  kindOf(callId: string): ToolKind | undefined {
    return this.#calls.get(callId)?.kind;
  }

  map(update: SessionUpdate): ExecutorEvent[] {
    switch (update.sessionUpdate) {
      case 'agent_message_chunk': {
        // Qwen Code reports each model request's tokens in the _meta of an (empty) chunk.
        const usage = usageOf(update._meta);
        if (usage === undefined) return this.#append('message', textOf(update.content));
        this.#reportedUsage = true;
        return [...this.#append('message', textOf(update.content)), usage];
      }
      case 'agent_thought_chunk':
        return this.#append('thinking', textOf(update.content));
      case 'tool_call':
        return [...this.flush(), ...this.#toolCall(update.toolCallId, update)];
      case 'tool_call_update':
        return [...this.flush(), ...this.#toolCall(update.toolCallId, update)];
      case 'plan':
        return [...this.flush(), ...this.#plan(update.entries)];
      case 'current_mode_update':
        return [...this.flush(), { type: 'log', level: 'info', text: `The agent switched to mode ${update.currentModeId}.` }];
      case 'notice': {
        const level = update.severity === 'error' ? 'error' : update.severity === 'warning' ? 'warn' : 'info';
        return [...this.flush(), { type: 'log', level, text: shortLine([update.title, update.description].filter(Boolean).join(': '), 2_000) }];
      }
      default:
        // The user's own message echoed, commands, config, usage and session info: nothing to show.
        return [];
    }
  }

  /** The merged chunks so far as one event; called before anything else is shown and at the end. */
  flush(): ExecutorEvent[] {
    const chunk = this.#chunk;
    this.#chunk = undefined;
    if (chunk === undefined || chunk.text.trim() === '') return [];
    const text = truncate(chunk.text, MAX_TEXT_LENGTH);
    if (chunk.kind === 'thinking') return [{ type: 'thinking', text }];
    this.#lastMessage = text;
    return [{ type: 'message', role: 'assistant', text }];
  }

  #append(kind: 'message' | 'thinking', text: string): ExecutorEvent[] {
    if (this.#chunk?.kind === kind) {
      this.#chunk.text += text;
      return [];
    }
    const flushed = this.flush();
    this.#chunk = { kind, text };
    return flushed;
  }

  #toolCall(
    callId: string,
    update: { title?: string | null; name?: string | null; kind?: ToolKind | null; status?: string | null; content?: ToolCallContent[] | null; locations?: ToolCallLocation[] | null; rawInput?: unknown; rawOutput?: unknown },
  ): ExecutorEvent[] {
    const events: ExecutorEvent[] = [];
    let call = this.#calls.get(callId);
    if (call === undefined) {
      call = { kind: update.kind ?? undefined, diffs: new Map(), locations: [], content: [], finished: false };
      this.#calls.set(callId, call);
      this.#running += 1;
      const kind = update.kind ?? 'other';
      const where = (update.locations ?? []).map((location) => relativeToWorktree(location.path, this.#roots)).join(', ');
      const title = update.title || update.name || kind;
      events.push({
        type: 'tool_call',
        callId,
        // The tool's name, else its kind: titles vary per call ("Read README.md"), kinds do not.
        tool: shortLine(update.name || update.kind || title, 100),
        action: ACTION_OF_KIND[kind] ?? 'other',
        summary: shortLine(where !== '' && !title.includes(where) ? `${title} (${where})` : title),
        ...(update.rawInput === undefined ? {} : { input: update.rawInput }),
      });
    }
    if (update.kind) call.kind = update.kind;
    if (update.locations) call.locations = update.locations;
    if (update.content) {
      call.content = update.content;
      for (const item of update.content) if (item.type === 'diff') call.diffs.set(item.path, { oldText: item.oldText, newText: item.newText });
    }
    if (call.finished || (update.status !== 'completed' && update.status !== 'failed')) return events;
    call.finished = true;
    this.#running -= 1;
    const output = outputOf(call.content, update.rawOutput, this.#terminalOutput);
    events.push({ type: 'tool_result', callId, isError: update.status === 'failed', ...(output === undefined ? {} : { output }) });
    if (update.status === 'completed') events.push(...this.#fileChanges(call));
    return events;
  }

  /** What a completed call changed: its diffs, or for a delete its locations. */
  #fileChanges(call: KnownCall): FileChangeEvent[] {
    if (call.kind === 'delete' && call.diffs.size === 0) {
      return call.locations.map((location) => ({ type: 'file_change', path: relativeToWorktree(location.path, this.#roots), change: 'deleted' }));
    }
    const diffs = [...call.diffs].filter(([filePath]) => !this.#writtenByClient.delete(relativeToWorktree(filePath, this.#roots)));
    return diffs.map(([filePath, diff]) => ({
      type: 'file_change',
      path: relativeToWorktree(filePath, this.#roots),
      // A new file has no old text; opencode sends an empty one.
      change: diff.oldText === null || diff.oldText === undefined || diff.oldText === '' ? 'added' : call.kind === 'delete' && diff.newText === '' ? 'deleted' : 'modified',
    }));
  }

  #plan(entries: readonly { content: string; status: string; priority: string }[]): ExecutorEvent[] {
    this.#plans += 1;
    const callId = `plan:${this.#plans}`;
    const done = entries.filter((entry) => entry.status === 'completed').length;
    return [
      { type: 'tool_call', callId, tool: 'plan', action: 'todo', summary: `${done} of ${entries.length} steps completed`, input: { entries } },
      { type: 'tool_result', callId, isError: false },
    ];
  }
}
