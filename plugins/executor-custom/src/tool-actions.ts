import { isRecord, relativeToWorktree, shortLine, type FileChangeEvent, type ToolActionKind } from '@forge-core/sdk';

/**
 * What a tool call does, guessed from the words of its name, since a generic CLI's tools are
 * not known in advance: `write_file`, `Edit`, `apply_patch` and `developer__text_editor` edit
 * files; `run_shell_command` and `Bash` run commands. The first kind whose words the name holds
 * wins, so `TodoWrite` is a todo, not a file edit.
 */
const KIND_WORDS: readonly (readonly [ToolActionKind, ReadonlySet<string>])[] = [
  ['todo', new Set(['todo', 'todos'])],
  ['plan', new Set(['plan'])],
  ['file_edit', new Set(['write', 'edit', 'editor', 'multiedit', 'replace', 'patch', 'create', 'save', 'insert', 'append', 'delete', 'remove', 'rm'])],
  ['command', new Set(['bash', 'shell', 'sh', 'exec', 'execute', 'execution', 'run', 'command', 'terminal', 'cmd'])],
  ['file_read', new Set(['read', 'view', 'cat', 'open', 'show'])],
  ['search', new Set(['grep', 'glob', 'search', 'find', 'list', 'ls', 'rg'])],
  ['web_fetch', new Set(['fetch', 'web', 'http', 'https', 'browse', 'browser', 'url', 'download', 'curl'])],
];

/** Where tools commonly take the file they work on. */
const PATH_KEYS = ['file_path', 'path', 'filePath', 'filename', 'file', 'target_file'];
const COMMAND_KEYS = ['command', 'cmd', 'script'];
const SEARCH_KEYS = ['pattern', 'query', 'glob', 'regex'];
const URL_KEYS = ['url', 'query'];

export interface ToolDescription {
  action: ToolActionKind;
  summary?: string;
  /** For a file edit, the file it changes, relative to the worktree when inside it. */
  editedPath?: string;
  /** For a file edit, what a successful call did to that file. */
  change?: FileChangeEvent['change'];
}

/** `developer__text_editor`, `runShellCommand`, `MultiEdit` → their lower-case words. */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

/** Tools often take their arguments as a JSON string (OpenAI-style function calls). */
function inputRecord(input: unknown): Record<string, unknown> {
  if (isRecord(input)) return input;
  if (typeof input !== 'string' || !input.trimStart().startsWith('{')) return {};
  try {
    const parsed: unknown = JSON.parse(input);
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** The first of the keys that holds text; a command may also be given as a list of words (`["npm", "test"]`). */
function firstText(record: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (keys === COMMAND_KEYS && Array.isArray(value) && value.length > 0 && value.every((part) => typeof part === 'string')) return value.join(' ');
  }
  return undefined;
}

function changeOf(words: readonly string[]): FileChangeEvent['change'] {
  if (words.some((word) => word === 'delete' || word === 'remove' || word === 'rm')) return 'deleted';
  return words.includes('create') ? 'added' : 'modified';
}

/** What the call does, a one-line summary, and for a file edit the file; paths inside the worktree are made relative to it. */
export function describeTool(name: string, input: unknown, worktree: string): ToolDescription {
  const words = wordsOf(name);
  const action = KIND_WORDS.find(([, kindWords]) => words.some((word) => kindWords.has(word)))?.[0] ?? 'other';
  const record = inputRecord(input);
  const filePath = firstText(record, PATH_KEYS);
  const relativePath = filePath === undefined ? undefined : relativeToWorktree(filePath, [worktree]);
  const subject = action === 'command' ? firstText(record, COMMAND_KEYS) : action === 'search' ? firstText(record, SEARCH_KEYS) : action === 'web_fetch' ? firstText(record, URL_KEYS) : relativePath;
  // A tool given one plain string (a shell line) is summarised by it.
  const plainInput = typeof input === 'string' && !input.trimStart().startsWith('{') ? input : undefined;
  const found = subject ?? plainInput;
  const summary = found === undefined ? {} : { summary: shortLine(found) };
  const edit = action === 'file_edit' && relativePath !== undefined ? { editedPath: relativePath, change: changeOf(words) } : {};
  return { action, ...summary, ...edit };
}
