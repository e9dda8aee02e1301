import { prng } from './fixtures.ts';

export const TRANSCRIPT_LINES = 100_000;

// What the recorded session reports about itself. Its paths lie under RECORDED_CWD, which the
// parser learns from the init line and strips, as it does for a real session run elsewhere.
const RECORDED_CWD = '/home/dev/shop';
const SESSION_ID = '3f1c2b7a-5d4e-4f60-9a8b-7c6d5e4f3a2b';
const MODEL = 'claude-sonnet-4-5-20250929';
const TOOLS = ['Task', 'Bash', 'Glob', 'Grep', 'ExitPlanMode', 'Read', 'Edit', 'MultiEdit', 'Write', 'NotebookEdit', 'WebFetch', 'TodoWrite', 'WebSearch'];
// Claude Code compacts a long conversation now and then; each compaction prints a system line.
const LINES_BETWEEN_COMPACTIONS = 2_500;
// A turn is at most thinking, text, tool_use and the tool's result, plus a compaction line.
const MAX_TURN_LINES = 5;
const WORDS = (
  'the a module test function value returns call file type error check path update result ' +
  'handler request cart price order user session config import export async await string number ' +
  'fix change read first then next because so it this should now also keep instead'
).split(' ');
const COMMANDS = ['npm test', 'npx tsc --noEmit -p tsconfig.json', 'git status --short', 'git diff --stat', 'npm run lint', 'ls src/cart'];
const DIRS = ['cart', 'orders', 'users', 'pricing', 'api', 'shared'];

type Json = Record<string, unknown>;

/**
 * A long Claude Code session as `claude -p --output-format stream-json --verbose` prints it:
 * the init line, turns of thinking, text and a tool call (Read, Edit, Bash, Grep, sometimes
 * Write) each answered by its tool result, the odd compaction, then a final answer and the
 * `result` line. Deterministic, so every run replays the same bytes.
 */
export function claudeTranscript(lineCount = TRANSCRIPT_LINES): string[] {
  const random = prng(7);
  const pick = <T>(items: ArrayLike<T>): T => items[Math.floor(random() * items.length)]!;
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const words = (count: number) => Array.from({ length: count }, () => pick(WORDS)).join(' ');
  const sentence = () => `${words(between(6, 18))}.`.replace(/^./, (c) => c.toUpperCase());
  const base62 = (length: number) => Array.from({ length }, () => pick('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')).join('');
  const hex = (length: number) => Array.from({ length }, () => pick('0123456789abcdef')).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const sourcePath = () => `${RECORDED_CWD}/src/${pick(DIRS)}/${pick(['index', 'model', 'service', 'routes', 'format'])}.ts`;
  const codeLine = (n: number) => `export function ${pick(WORDS)}${n}(x: number): number { return x * ${between(2, 99)} + ${between(0, 999)}; }`;
  const numbered = (lines: readonly string[], first: number) => lines.map((line, i) => `${String(first + i).padStart(6)}→${line}`).join('\n');

  const lines: string[] = [];
  const totals = { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 };
  let turns = 0;
  let context = 12_000;
  const print = (message: Json) => lines.push(JSON.stringify({ ...message, session_id: SESSION_ID, uuid: uuid() }));

  /** One API turn; Claude Code prints each content block as its own line sharing the message id. */
  function assistantTurn(blocks: Json[], stopReason: string): void {
    turns += 1;
    context += between(200, 3_000);
    const usage = { input_tokens: between(2, 12), cache_creation_input_tokens: between(0, 2_000), cache_read_input_tokens: context, output_tokens: between(20, 600), service_tier: 'standard' };
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += usage[key];
    const id = `msg_01${base62(22)}`;
    for (const [index, block] of blocks.entries()) {
      const message = { id, type: 'message', role: 'assistant', model: MODEL, content: [block], stop_reason: index === blocks.length - 1 ? stopReason : null, stop_sequence: null, usage };
      print({ type: 'assistant', message, parent_tool_use_id: null });
    }
  }

  function toolResult(toolUseId: string, content: string, isError: boolean, toolUseResult: unknown): void {
    print({ type: 'user', message: { role: 'user', content: [{ tool_use_id: toolUseId, type: 'tool_result', content, is_error: isError }] }, parent_tool_use_id: null, tool_use_result: toolUseResult });
  }

  /** A tool call with its outcome: [name, input, result text, is_error, tool_use_result]. */
  function toolCall(): [string, Json, string, boolean, unknown] {
    const roll = random();
    const filePath = sourcePath();
    if (roll < 0.35) {
      const code = Array.from({ length: between(4, 20) }, (_, i) => codeLine(i));
      const content = code.join('\n');
      return ['Read', { file_path: filePath }, numbered(code, 1), false, { type: 'text', file: { filePath, content, numLines: code.length, startLine: 1, totalLines: code.length } }];
    }
    if (roll < 0.6) {
      const oldString = codeLine(between(0, 40));
      const newString = codeLine(between(0, 40));
      const input = { file_path: filePath, old_string: oldString, new_string: newString };
      if (random() < 0.1) return ['Edit', input, '<tool_use_error>String to replace not found in file.</tool_use_error>', true, 'Error: String to replace not found in file.'];
      const start = between(1, 40);
      const snippet = numbered([codeLine(start), newString, codeLine(start + 2)], start);
      const patch = [{ oldStart: start + 1, oldLines: 1, newStart: start + 1, newLines: 1, lines: [`-${oldString}`, `+${newString}`] }];
      return ['Edit', input, `The file ${filePath} has been updated. Here's the result of running \`cat -n\` on a snippet of the edited file:\n${snippet}`, false, { filePath, oldString, newString, structuredPatch: patch, userModified: false, replaceAll: false }];
    }
    if (roll < 0.8) {
      const command = pick(COMMANDS);
      const stdout = Array.from({ length: between(2, 14) }, () => words(between(3, 10))).join('\n');
      const failed = random() < 0.15;
      return ['Bash', { command, description: sentence() }, failed ? `Exit code 1\n${stdout}` : stdout, failed, { stdout, stderr: '', interrupted: false, isImage: false }];
    }
    if (roll < 0.95) {
      const filenames = Array.from({ length: between(0, 8) }, sourcePath);
      const input = { pattern: `${pick(WORDS)}\\(`, path: `${RECORDED_CWD}/src`, output_mode: 'files_with_matches' };
      return ['Grep', input, filenames.length === 0 ? 'No files found' : `Found ${filenames.length} files\n${filenames.join('\n')}`, false, { mode: 'files_with_matches', filenames, numFiles: filenames.length }];
    }
    const newPath = `${RECORDED_CWD}/src/${pick(DIRS)}/${pick(WORDS)}-${lines.length}.ts`;
    const content = Array.from({ length: between(3, 12) }, (_, i) => codeLine(i)).join('\n');
    return ['Write', { file_path: newPath, content }, `File created successfully at: ${newPath}`, false, { type: 'create', filePath: newPath, content, structuredPatch: [] }];
  }

  print({
    type: 'system', subtype: 'init', cwd: RECORDED_CWD, tools: TOOLS, mcp_servers: [], model: MODEL, permissionMode: 'acceptEdits',
    slash_commands: ['compact', 'context', 'cost', 'init', 'review'], apiKeySource: 'ANTHROPIC_API_KEY', claude_code_version: '2.0.14', output_style: 'default',
  });
  let nextCompaction = LINES_BETWEEN_COMPACTIONS;
  // Two lines are kept for the final answer and the result.
  while (lines.length + MAX_TURN_LINES <= lineCount - 2) {
    if (lines.length >= nextCompaction) {
      print({ type: 'system', subtype: 'compact_boundary', compact_metadata: { trigger: 'auto', pre_tokens: context } });
      context = 12_000;
      nextCompaction += LINES_BETWEEN_COMPACTIONS;
    }
    const [name, input, content, isError, toolUseResult] = toolCall();
    const toolUseId = `toolu_01${base62(22)}`;
    const blocks: Json[] = [];
    if (random() < 0.35) blocks.push({ type: 'thinking', thinking: Array.from({ length: between(1, 4) }, sentence).join(' '), signature: base62(120) });
    if (random() < 0.5) blocks.push({ type: 'text', text: sentence() });
    blocks.push({ type: 'tool_use', id: toolUseId, name, input });
    assistantTurn(blocks, 'tool_use');
    toolResult(toolUseId, content, isError, toolUseResult);
  }
  const answer = Array.from({ length: lineCount - 1 - lines.length }, () => ({ type: 'text', text: sentence() }));
  assistantTurn(answer, 'end_turn');
  const summary = String(answer.at(-1)!.text);
  const costUsd = totals.input_tokens * 3e-6 + totals.cache_creation_input_tokens * 3.75e-6 + totals.cache_read_input_tokens * 0.3e-6 + totals.output_tokens * 15e-6;
  print({
    type: 'result', subtype: 'success', is_error: false, duration_ms: turns * 4_100, duration_api_ms: turns * 3_700, num_turns: turns, result: summary,
    total_cost_usd: Math.round(costUsd * 1e4) / 1e4, usage: { ...totals, service_tier: 'standard' }, permission_denials: [],
  });
  return lines;
}
