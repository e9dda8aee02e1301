import { arrayAt, isRecord, relativeToWorktree, shortLine, stringAt, type JsonRecord, type ToolActionKind } from '@forge-core/sdk';

/** What one of Claude Code's tool calls means, in the terms every executor shares. */
export interface ToolCallMeaning {
  action: ToolActionKind;
  summary?: string;
  /** The file the call edits, as Claude gave it, when the tool edits a file. */
  editedPath?: string;
}

/**
 * What a tool call means, from the tool's name, its input and the folders its paths are made
 * relative to. A CLI speaking Claude's stream-json with tools of its own (Amp's `edit_file`)
 * brings its own; Claude Code's is `describeToolCall` below.
 */
export type ToolCallDescriber = (tool: string, input: JsonRecord, roots: readonly string[]) => ToolCallMeaning;

const ACTION_BY_TOOL: ReadonlyMap<string, ToolActionKind> = new Map([
  ['Read', 'file_read'],
  ['Write', 'file_edit'],
  ['Edit', 'file_edit'],
  ['MultiEdit', 'file_edit'],
  ['NotebookEdit', 'file_edit'],
  ['Bash', 'command'],
  ['Grep', 'search'],
  ['Glob', 'search'],
  ['WebFetch', 'web_fetch'],
  ['WebSearch', 'web_fetch'],
  ['ExitPlanMode', 'plan'],
  ['TodoWrite', 'todo'],
]);

/** Where each file tool keeps its path; the path is the call's summary. */
const PATH_FIELD: ReadonlyMap<string, string> = new Map([
  ['Read', 'file_path'],
  ['Write', 'file_path'],
  ['Edit', 'file_path'],
  ['MultiEdit', 'file_path'],
  ['NotebookEdit', 'notebook_path'],
]);

/** The summary of a tool that does not work on one file. */
function summarizeInput(tool: string, input: JsonRecord, roots: readonly string[]): string | undefined {
  const field = (key: string) => stringAt(input, key);
  switch (tool) {
    case 'Bash':
      return field('command');
    case 'Grep':
    case 'Glob': {
      const pattern = field('pattern');
      const searched = field('path');
      return pattern === undefined || searched === undefined ? pattern : `${pattern} in ${relativeToWorktree(searched, roots)}`;
    }
    case 'WebFetch':
      return field('url');
    case 'WebSearch':
      return field('query');
    case 'ExitPlanMode':
      return field('plan');
    case 'TodoWrite': {
      const todos = arrayAt(input, 'todos');
      if (todos === undefined) return undefined;
      const completed = todos.filter((todo) => isRecord(todo) && todo['status'] === 'completed').length;
      return `${todos.length} todos, ${completed} completed`;
    }
    case 'Task':
      return field('description');
    default:
      return undefined;
  }
}

export function describeToolCall(tool: string, input: JsonRecord, roots: readonly string[]): ToolCallMeaning {
  const action = ACTION_BY_TOOL.get(tool) ?? 'other';
  const pathField = PATH_FIELD.get(tool);
  const filePath = pathField === undefined ? undefined : stringAt(input, pathField);
  const summary = filePath === undefined ? summarizeInput(tool, input, roots) : relativeToWorktree(filePath, roots);
  return {
    action,
    ...(summary === undefined || summary.trim() === '' ? {} : { summary: shortLine(summary) }),
    ...(action === 'file_edit' && filePath !== undefined ? { editedPath: filePath } : {}),
  };
}
