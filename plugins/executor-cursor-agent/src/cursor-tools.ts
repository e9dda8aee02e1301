/**
 * cursor-agent's tool calls in the terms every executor shares. A `tool_call` line carries the
 * tool as the one `<kind>ToolCall` key of its `tool_call` object (`{"writeToolCall": {args,
 * result}}`; a tool Cursor has no kind for comes as `{"function": {name, arguments}}`), and its
 * result, on `completed`, as `{success: {…}}`, or `{rejected: {…}}` when print mode refused it
 * (no --force), or `{failure: {…}}` / `{error: {…}}`.
 */
import { arrayAt, isRecord, numberAt, parseJson, recordAt, relativeToWorktree, shortLine, stringAt, truncate, type JsonRecord, type ToolActionKind } from '@forge-core/sdk';
import { boundedId, MAX_TOOL_OUTPUT_LENGTH } from './event-limits.ts';

const ACTION_BY_KIND: ReadonlyMap<string, ToolActionKind> = new Map([
  ['read', 'file_read'],
  ['write', 'file_edit'],
  ['edit', 'file_edit'],
  ['delete', 'file_edit'],
  ['shell', 'command'],
  ['grep', 'search'],
  ['glob', 'search'],
  ['ls', 'search'],
  ['semSearch', 'search'],
  ['webSearch', 'web_fetch'],
  ['webFetch', 'web_fetch'],
  ['updateTodos', 'todo'],
]);

/** The tools that change one file, and how a successful call changes it. */
const FILE_CHANGE_BY_KIND: ReadonlyMap<string, 'write' | 'modified' | 'deleted'> = new Map([
  ['write', 'write'],
  ['edit', 'modified'],
  ['delete', 'deleted'],
]);

/** One tool call as a `tool_call` line carries it. */
export interface CursorToolCall {
  /** The kind: the key without `ToolCall` (`write`, `shell`, `mcp`), or `function`. */
  kind: string;
  /** The tool as events name it: the kind, an MCP tool as `<server>/<tool>`, a function by its name. */
  tool: string;
  action: ToolActionKind;
  args: JsonRecord;
  /** On `completed`. */
  result: JsonRecord | undefined;
}

/** The file a call is about, as the agent gave it. */
function pathOf(args: JsonRecord): string | undefined {
  return stringAt(args, 'path') ?? stringAt(args, 'targetFile') ?? stringAt(args, 'target_file');
}

function mcpTool(args: JsonRecord): string {
  const server = stringAt(args, 'providerIdentifier') ?? stringAt(args, 'serverIdentifier');
  const tool = stringAt(args, 'toolName') ?? stringAt(args, 'name');
  if (tool === undefined) return 'mcp';
  return server === undefined ? tool : `${server}/${tool}`;
}

/** A function call's arguments, which cursor-agent gives as JSON text. */
function functionArgs(body: JsonRecord): JsonRecord {
  const given = body['arguments'];
  const parsed = typeof given === 'string' ? parseJson(given) : given;
  return isRecord(parsed) ? parsed : {};
}

/** The tool a `tool_call` object names, or undefined when it names none. */
export function readToolCall(toolCall: JsonRecord): CursorToolCall | undefined {
  const entry = Object.entries(toolCall).find(([key, value]) => key.endsWith('ToolCall') && isRecord(value));
  if (entry !== undefined) {
    const [key, body] = entry as [string, JsonRecord];
    const kind = key.slice(0, -'ToolCall'.length);
    const args = recordAt(body, 'args') ?? {};
    return { kind, tool: boundedId(kind === 'mcp' ? mcpTool(args) : kind), action: ACTION_BY_KIND.get(kind) ?? 'other', args, result: recordAt(body, 'result') };
  }
  const fn = recordAt(toolCall, 'function');
  const name = stringAt(fn, 'name');
  if (fn === undefined || name === undefined || name === '') return undefined;
  return { kind: 'function', tool: boundedId(name), action: 'other', args: functionArgs(fn), result: recordAt(fn, 'result') };
}

function todoSummary(args: JsonRecord): string | undefined {
  const todos = arrayAt(args, 'todos');
  if (todos === undefined) return undefined;
  const completed = todos.filter((todo) => isRecord(todo) && /^(?:TODO_STATUS_)?completed$/i.test(stringAt(todo, 'status') ?? '')).length;
  return `${todos.length} todos, ${completed} completed`;
}

/** A search and where it looked; the worktree itself goes without saying. */
const within = (what: string | undefined, where: string | undefined, roots: readonly string[]) =>
  what === undefined || where === undefined || where === '' || where === '.' || roots.includes(where) ? what : `${what} in ${relativeToWorktree(where, roots)}`;

/** One line for a person: the path, the command, the pattern searched. */
export function toolSummary(call: CursorToolCall, roots: readonly string[]): string | undefined {
  const { args } = call;
  const filePath = pathOf(args);
  const summary = (() => {
    switch (call.kind) {
      case 'shell':
        return stringAt(args, 'command');
      case 'grep':
        return within(stringAt(args, 'pattern'), filePath, roots);
      case 'glob':
        return within(stringAt(args, 'globPattern') ?? stringAt(args, 'pattern'), stringAt(args, 'targetDirectory'), roots);
      case 'semSearch':
      case 'webSearch':
        return stringAt(args, 'query') ?? stringAt(args, 'searchTerm');
      case 'webFetch':
        return stringAt(args, 'url');
      case 'updateTodos':
        return todoSummary(args);
      case 'mcp':
        return call.tool;
      default:
        return filePath === undefined ? undefined : relativeToWorktree(filePath, roots);
    }
  })();
  return summary === undefined || summary.trim() === '' ? undefined : shortLine(summary);
}

/** How a successful call of a file tool changes its file, and which file. */
export function fileChangeOf(call: CursorToolCall): { path: string; change: 'write' | 'modified' | 'deleted' } | undefined {
  const change = FILE_CHANGE_BY_KIND.get(call.kind);
  const success = recordAt(call.result, 'success');
  const filePath = stringAt(success, 'path') ?? pathOf(call.args);
  return change === undefined || success === undefined || filePath === undefined || filePath === '' ? undefined : { path: filePath, change };
}

export interface ToolOutcome {
  isError: boolean;
  output?: string;
}

/** An MCP result's content: text items (`{text: {text}}` or `{type: "text", text}`) joined. */
function mcpText(success: JsonRecord): string | undefined {
  const texts = (arrayAt(success, 'content') ?? []).flatMap((item) => {
    if (!isRecord(item)) return [];
    const text = item['text'];
    if (typeof text === 'string') return [text];
    const nested = isRecord(text) ? stringAt(text, 'text') : undefined;
    return nested === undefined ? [] : [nested];
  });
  return texts.length === 0 ? undefined : texts.join('\n');
}

function shellOutcome(success: JsonRecord): ToolOutcome {
  const exitCode = numberAt(success, 'exitCode');
  const streams = stringAt(success, 'interleavedOutput') ?? [stringAt(success, 'stdout'), stringAt(success, 'stderr')].filter((text) => text !== undefined && text !== '').join('\n');
  const failed = exitCode !== undefined && exitCode !== 0;
  return { isError: failed, output: failed ? `${streams}${streams === '' ? '' : '\n'}exit code ${exitCode}` : streams };
}

function successOutcome(call: CursorToolCall, success: JsonRecord, roots: readonly string[]): ToolOutcome {
  const where = (fallback: string) => relativeToWorktree(stringAt(success, 'path') ?? pathOf(call.args) ?? fallback, roots);
  switch (call.kind) {
    case 'read':
      return { isError: false, output: stringAt(success, 'content') ?? '' };
    case 'shell':
      return shellOutcome(success);
    case 'write': {
      const lines = numberAt(success, 'linesCreated');
      return { isError: false, output: `Wrote ${where('the file')}${lines === undefined ? '' : ` (${lines} lines)`}` };
    }
    case 'edit':
      return { isError: false, output: stringAt(success, 'diffString') ?? `Edited ${where('the file')}` };
    case 'delete':
      return { isError: false, output: `Deleted ${where('the file')}` };
    case 'mcp':
      return { isError: success['isError'] === true, output: mcpText(success) ?? JSON.stringify(success) };
    default:
      return { isError: false, output: JSON.stringify(success) };
  }
}

/** Why a call failed, from the fields cursor-agent uses for it, else the whole report. */
function failureText(report: JsonRecord): string {
  for (const key of ['error', 'message', 'reason', 'stderr']) {
    const text = stringAt(report, key);
    if (text !== undefined && text.trim() !== '') return text;
  }
  return JSON.stringify(report);
}

/** What a completed call did: its output, and whether it failed, was refused or exited non-zero. */
export function toolOutcome(call: CursorToolCall, roots: readonly string[]): ToolOutcome {
  const result = call.result;
  if (result === undefined) return { isError: false };
  const success = recordAt(result, 'success');
  const rejected = recordAt(result, 'rejected');
  const outcome = (() => {
    if (success !== undefined) return successOutcome(call, success, roots);
    if (rejected !== undefined) {
      const reason = stringAt(rejected, 'reason')?.trim();
      return { isError: true, output: reason ? `Rejected: ${reason}` : 'Rejected: print mode allows no edits or commands without --force' };
    }
    const failure = recordAt(result, 'failure') ?? recordAt(result, 'error');
    return { isError: true, output: failureText(failure ?? result) };
  })();
  return outcome.output === undefined ? outcome : { ...outcome, output: truncate(outcome.output, MAX_TOOL_OUTPUT_LENGTH) };
}
