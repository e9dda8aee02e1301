/**
 * Turns the lines `claude -p --output-format stream-json --verbose` prints into the SDK's executor
 * events. No I/O, so any executor that runs Claude Code can reuse it: it knows the protocol and
 * nothing about how the process runs.
 */
import type { DoneEvent, ExecutorEvent, LogEvent, ProcessExit, UsageEvent } from '@forge-core/sdk';
import { describeToolCall } from './claude-tools.ts';
import { doneEvent, type ClaudeResult } from './claude-outcome.ts';
import { arrayAt, isRecord, numberAt, recordAt, stringAt, type JsonRecord } from './json-fields.ts';
import { relativeToCwd } from './relative-path.ts';
import { truncate } from './text.ts';

/** Long enough to diagnose a stray line, short enough that a 200 KB line cannot bloat the log. */
export const MAX_LOG_TEXT_LENGTH = 2000;

export interface ClaudeStreamParserOptions {
  /** The worktree; file paths inside it, or inside the cwd `system/init` reports, are made relative. */
  cwd?: string;
}

export interface ClaudeStreamParser {
  /** The events one stdout line stands for, possibly none. Never throws, whatever the line holds. */
  parseLine(line: string): ExecutorEvent[];
  /** The run's single `done`, from what the stream reported and how the process ended. */
  finish(exit: ProcessExit, aborted: boolean): DoneEvent;
}

/** A file-editing call waiting for its result: only a call that succeeded changed the file. */
interface PendingEdit {
  tool: string;
  path: string;
}

const NOT_JSON = Symbol('not JSON');

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return NOT_JSON;
  }
}

function stdoutLog(level: LogEvent['level'], text: string): LogEvent {
  return { type: 'log', level, stream: 'stdout', text: truncate(text, MAX_LOG_TEXT_LENGTH) };
}

function blockText(block: unknown): string {
  if (!isRecord(block)) return '[unknown block]';
  return block['type'] === 'text' ? (stringAt(block, 'text') ?? '') : `[${String(block['type'])} block]`;
}

/** A tool result's content is a string or a list of blocks; non-text blocks are named, not dumped. */
function toolResultText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? content.map(blockText).join('\n') : undefined;
}

function usageEvent(line: JsonRecord): UsageEvent | undefined {
  const usage = recordAt(line, 'usage') ?? {};
  const fields = {
    inputTokens: numberAt(usage, 'input_tokens'),
    outputTokens: numberAt(usage, 'output_tokens'),
    cacheReadTokens: numberAt(usage, 'cache_read_input_tokens'),
    cacheWriteTokens: numberAt(usage, 'cache_creation_input_tokens'),
    costUsd: numberAt(line, 'total_cost_usd'),
  };
  const reported = Object.entries(fields).filter(([, value]) => value !== undefined);
  return reported.length === 0 ? undefined : { type: 'usage', ...(Object.fromEntries(reported) as Omit<UsageEvent, 'type'>) };
}

export function createClaudeStreamParser(options: ClaudeStreamParserOptions = {}): ClaudeStreamParser {
  const roots: string[] = options.cwd === undefined ? [] : [options.cwd];
  let result: ClaudeResult | undefined;
  let lastAssistantText: string | undefined;
  const pendingEdits = new Map<string, PendingEdit>();

  function systemEvents(line: JsonRecord, raw: string): ExecutorEvent[] {
    const subtype = stringAt(line, 'subtype');
    if (subtype !== 'init') return [stdoutLog('debug', `claude system/${subtype ?? '?'}: ${raw}`)];
    const sessionId = stringAt(line, 'session_id');
    if (sessionId === undefined) return [stdoutLog('warn', `claude system/init without a session_id: ${raw}`)];
    const reportedCwd = stringAt(line, 'cwd');
    if (reportedCwd !== undefined && !roots.includes(reportedCwd)) roots.push(reportedCwd);
    const model = stringAt(line, 'model');
    return [{ type: 'session', sessionId, ...(model === undefined ? {} : { model }) }];
  }

  /** A sub-agent's words (a Task tool's) are shown but never become the run's summary. */
  function assistantBlockEvents(block: unknown, fromSubagent: boolean): ExecutorEvent[] {
    if (!isRecord(block)) return [stdoutLog('warn', `claude assistant content that is not an object: ${JSON.stringify(block)}`)];
    switch (block['type']) {
      case 'text': {
        const text = stringAt(block, 'text');
        if (text === undefined || text.trim() === '') return [];
        if (!fromSubagent) lastAssistantText = text;
        return [{ type: 'message', role: 'assistant', text }];
      }
      case 'thinking': {
        const text = stringAt(block, 'thinking');
        return text === undefined || text.trim() === '' ? [] : [{ type: 'thinking', text }];
      }
      // Encrypted reasoning: there is nothing a person could read.
      case 'redacted_thinking':
        return [];
      case 'tool_use': {
        const callId = stringAt(block, 'id');
        const tool = stringAt(block, 'name');
        if (callId === undefined || tool === undefined) return [stdoutLog('warn', `claude tool_use without an id or name: ${JSON.stringify(block)}`)];
        const input = recordAt(block, 'input') ?? {};
        const { action, summary, editedPath } = describeToolCall(tool, input, roots);
        if (editedPath !== undefined) pendingEdits.set(callId, { tool, path: editedPath });
        return [{ type: 'tool_call', callId, tool, action, ...(summary === undefined ? {} : { summary }), input }];
      }
      default:
        return [stdoutLog('warn', `unknown claude assistant content block ${JSON.stringify(block['type'])}`)];
    }
  }

  /** Claude Code reports whether Write created the file in the line's `tool_use_result`. */
  function fileChange(edit: PendingEdit, line: JsonRecord): ExecutorEvent {
    const created = edit.tool === 'Write' && recordAt(line, 'tool_use_result')?.['type'] === 'create';
    return { type: 'file_change', path: relativeToCwd(edit.path, roots), change: created ? 'added' : 'modified' };
  }

  function userBlockEvents(block: unknown, line: JsonRecord): ExecutorEvent[] {
    if (!isRecord(block)) return [stdoutLog('warn', `claude user content that is not an object: ${JSON.stringify(block)}`)];
    if (block['type'] === 'text') {
      const text = stringAt(block, 'text');
      return text === undefined || text.trim() === '' ? [] : [{ type: 'message', role: 'user', text }];
    }
    if (block['type'] !== 'tool_result') return [stdoutLog('warn', `unknown claude user content block ${JSON.stringify(block['type'])}`)];
    const callId = stringAt(block, 'tool_use_id');
    if (callId === undefined) return [stdoutLog('warn', `claude tool_result without a tool_use_id: ${JSON.stringify(block)}`)];
    const isError = block['is_error'] === true;
    const output = toolResultText(block['content']);
    const events: ExecutorEvent[] = [{ type: 'tool_result', callId, isError, ...(output === undefined ? {} : { output }) }];
    const edit = pendingEdits.get(callId);
    pendingEdits.delete(callId);
    if (edit !== undefined && !isError) events.push(fileChange(edit, line));
    return events;
  }

  /** Claude prints a user's own words as a plain string and everything else as a list of blocks. */
  function messageContent(line: JsonRecord): unknown[] | undefined {
    const content = recordAt(line, 'message')?.['content'];
    if (typeof content === 'string') return [{ type: 'text', text: content }];
    return Array.isArray(content) ? content : undefined;
  }

  function resultEvents(line: JsonRecord): ExecutorEvent[] {
    const text = stringAt(line, 'result');
    result = {
      subtype: stringAt(line, 'subtype') ?? 'unknown',
      isError: line['is_error'] === true,
      ...(text === undefined ? {} : { text }),
      errors: (arrayAt(line, 'errors') ?? []).filter((error): error is string => typeof error === 'string'),
    };
    const usage = usageEvent(line);
    return usage === undefined ? [] : [usage];
  }

  function lineEvents(raw: string): ExecutorEvent[] {
    if (raw.trim() === '') return [];
    const line = parseJson(raw);
    if (line === NOT_JSON) return [stdoutLog('warn', `claude printed a line that is not JSON: ${raw}`)];
    if (!isRecord(line)) return [stdoutLog('warn', `claude printed JSON that is not an object: ${raw}`)];
    const type = line['type'];
    switch (type) {
      case 'system':
        return systemEvents(line, raw);
      case 'assistant':
      case 'user': {
        const content = messageContent(line);
        if (content === undefined) return [stdoutLog('warn', `claude ${type} line without message content: ${raw}`)];
        const fromSubagent = typeof line['parent_tool_use_id'] === 'string';
        return content.flatMap((block) => (type === 'assistant' ? assistantBlockEvents(block, fromSubagent) : userBlockEvents(block, line)));
      }
      case 'result':
        return resultEvents(line);
      // Partial messages repeat what the complete assistant line that follows them says.
      case 'stream_event':
        return [];
      default:
        return [stdoutLog('warn', `unknown claude message type ${JSON.stringify(type)}: ${raw}`)];
    }
  }

  return {
    parseLine(line) {
      try {
        return lineEvents(line);
      } catch (error) {
        // The checks above should make this unreachable; the contract says a bad line never ends a run.
        return [stdoutLog('error', `could not interpret claude output (${String(error)}): ${line}`)];
      }
    },
    finish(exit, aborted) {
      return doneEvent({ result, lastAssistantText, exit, aborted });
    },
  };
}
