/**
 * What Amp's tool calls mean. Amp prints Claude's stream-json, but its tools are its own: a file
 * is created with `create_file {path, content}` and changed with `edit_file {path, old_str,
 * new_str}`, a command runs with `Bash {cmd, cwd}`, and paths are absolute.
 */
import { arrayAt, isRecord, relativeToWorktree, shortLine, stringAt, type JsonRecord, type ToolActionKind } from '@forge-core/sdk';
import type { ToolCallMeaning } from '@forge-core/executor-claude-code/stream';

const ACTION_BY_TOOL: ReadonlyMap<string, ToolActionKind> = new Map([
  ['Read', 'file_read'],
  ['create_file', 'file_edit'],
  ['edit_file', 'file_edit'],
  ['undo_edit', 'file_edit'],
  ['format_file', 'file_edit'],
  ['Bash', 'command'],
  ['Grep', 'search'],
  ['glob', 'search'],
  ['finder', 'search'],
  ['web_search', 'web_fetch'],
  ['read_web_page', 'web_fetch'],
  ['todo_write', 'todo'],
  ['todo_read', 'todo'],
]);

/** Tools whose `path` is the one file they read or change: that path is their summary. */
const FILE_TOOLS = new Set(['Read', 'create_file', 'edit_file', 'undo_edit', 'format_file', 'get_diagnostics', 'list_directory']);

function todoSummary(input: JsonRecord): string | undefined {
  const todos = arrayAt(input, 'todos');
  if (todos === undefined) return undefined;
  const completed = todos.filter((todo) => isRecord(todo) && todo['status'] === 'completed').length;
  return `${todos.length} todos, ${completed} completed`;
}

/** The summary of a tool that does not work on one file. */
function summarizeInput(tool: string, input: JsonRecord, roots: readonly string[]): string | undefined {
  const field = (key: string) => stringAt(input, key);
  switch (tool) {
    case 'Bash':
      return field('cmd');
    case 'Grep': {
      const pattern = field('pattern');
      const searched = field('path');
      return pattern === undefined || searched === undefined ? pattern : `${pattern} in ${relativeToWorktree(searched, roots)}`;
    }
    case 'glob':
      return field('filePattern');
    case 'finder':
    case 'web_search':
      return field('query');
    case 'read_web_page':
      return field('url');
    case 'todo_write':
      return todoSummary(input);
    case 'Task':
      return field('description') ?? field('prompt');
    default:
      return undefined;
  }
}

export function describeAmpToolCall(tool: string, input: JsonRecord, roots: readonly string[]): ToolCallMeaning {
  const action = ACTION_BY_TOOL.get(tool) ?? 'other';
  const filePath = FILE_TOOLS.has(tool) ? stringAt(input, 'path') : undefined;
  const summary = filePath === undefined ? summarizeInput(tool, input, roots) : relativeToWorktree(filePath, roots);
  return {
    action,
    ...(summary === undefined || summary.trim() === '' ? {} : { summary: shortLine(summary) }),
    ...(action === 'file_edit' && filePath !== undefined ? { editedPath: filePath } : {}),
  };
}
