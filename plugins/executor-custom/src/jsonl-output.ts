import { isRecord, parseJson, truncate, type ExecutorEvent, type FileChangeEvent, type LogEvent, type UsageEvent } from '@forge-core/sdk';
import type { CustomOptions } from './custom-options.ts';
import { textAt, valueAt } from './json-path.ts';
import type { OutputReader } from './output-reader.ts';
import { processDone } from './run-outcome.ts';
import { MAX_EVENT_TEXT_LENGTH, MAX_ID_LENGTH, MAX_LOG_TEXT_LENGTH } from './text-limits.ts';
import { describeTool } from './tool-actions.ts';

/** The options that say where a JSON line keeps what. */
export type JsonlMapping = Pick<
  CustomOptions,
  | 'typeField'
  | 'messageType'
  | 'toolCallType'
  | 'toolResultType'
  | 'resultType'
  | 'textField'
  | 'toolNameField'
  | 'toolInputField'
  | 'toolCallIdField'
  | 'toolOutputField'
  | 'sessionIdField'
  | 'summaryField'
  | 'errorField'
  | 'inputTokensField'
  | 'outputTokensField'
  | 'costField'
>;

type LineKind = 'message' | 'tool_call' | 'tool_result' | 'result' | 'other';

interface PendingEdit {
  path: string;
  change: FileChangeEvent['change'];
}

function stdoutLog(level: LogEvent['level'], text: string): LogEvent {
  return { type: 'log', level, stream: 'stdout', text: truncate(text, MAX_LOG_TEXT_LENGTH) };
}

/** An error field's value as words: a non-empty string, `true`, or an object or list (shown as JSON); anything else means no error. */
function errorText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (value === true) return 'error';
  if (Array.isArray(value)) return value.length === 0 ? undefined : JSON.stringify(value);
  return isRecord(value) && Object.keys(value).length > 0 ? JSON.stringify(value) : undefined;
}

/** Text as is; other JSON values shown as JSON. */
function outputText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return truncate(typeof value === 'string' ? value : JSON.stringify(value), MAX_EVENT_TEXT_LENGTH);
}

function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
}

function costUsd(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** A tool call id may be a string or a number; anything else is no id. */
function callIdOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' && value.length <= MAX_ID_LENGTH ? value : undefined;
}

/**
 * Reads JSON-lines output through a mapping of dotted field paths (README.md, "jsonl output").
 * A line's kind comes from `typeField` compared with the *Type values; without a typeField,
 * from the fields it holds, in this order: a tool name makes a tool call, a tool output a tool
 * result, a summary or error the result, a text a message. Session id and usage are read on
 * every line. A line that is not a JSON object is logged as a warning; one that maps to nothing
 * is logged as debug, so nothing the agent printed is lost.
 */
export function createJsonlReader(mapping: JsonlMapping, worktree: string): OutputReader {
  const typed = mapping.typeField !== undefined;
  // A file edit is reported once its result says it worked, when results can be told apart at all.
  const resultsKnown = typed ? mapping.toolResultType !== undefined : mapping.toolOutputField !== undefined;
  const pendingEdits = new Map<string, PendingEdit>();
  let sessionId: string | undefined;
  let lastMessage: string | undefined;
  let lastCallId: string | undefined;
  let generatedIds = 0;
  let reportedSummary: string | undefined;
  let reportedError: string | undefined;

  const has = (line: unknown, field: string | undefined) => field !== undefined && valueAt(line, field) !== undefined;

  function kindOf(line: Record<string, unknown>): LineKind {
    if (mapping.typeField !== undefined) {
      const type = valueAt(line, mapping.typeField);
      if (typeof type !== 'string') return 'other';
      if (type === mapping.messageType) return 'message';
      if (type === mapping.toolCallType) return 'tool_call';
      if (type === mapping.toolResultType) return 'tool_result';
      return type === mapping.resultType ? 'result' : 'other';
    }
    if (has(line, mapping.toolNameField)) return 'tool_call';
    if (has(line, mapping.toolOutputField)) return 'tool_result';
    if (has(line, mapping.summaryField) || has(line, mapping.errorField)) return 'result';
    return has(line, mapping.textField) ? 'message' : 'other';
  }

  function sessionEvents(line: Record<string, unknown>): ExecutorEvent[] {
    const found = textAt(line, mapping.sessionIdField);
    if (found === undefined || found === sessionId) return [];
    if (found.length > MAX_ID_LENGTH) return [stdoutLog('warn', `a session id longer than ${MAX_ID_LENGTH} characters was ignored: ${found}`)];
    sessionId = found;
    return [{ type: 'session', sessionId: found }];
  }

  function messageEvents(line: Record<string, unknown>): ExecutorEvent[] {
    const text = textAt(line, mapping.textField);
    if (text === undefined) return [];
    lastMessage = truncate(text, MAX_EVENT_TEXT_LENGTH);
    return [{ type: 'message', role: 'assistant', text: lastMessage }];
  }

  function toolCallEvents(line: Record<string, unknown>, raw: string): ExecutorEvent[] {
    const tool = textAt(line, mapping.toolNameField);
    if (tool === undefined || tool.length > MAX_ID_LENGTH) return [stdoutLog('warn', `a tool call without a usable name in ${mapping.toolNameField ?? 'toolNameField'}: ${raw}`)];
    generatedIds += 1;
    const callId = (mapping.toolCallIdField === undefined ? undefined : callIdOf(valueAt(line, mapping.toolCallIdField))) ?? `call-${generatedIds}`;
    lastCallId = callId;
    const input = mapping.toolInputField === undefined ? undefined : valueAt(line, mapping.toolInputField);
    const { action, summary, editedPath, change } = describeTool(tool, input, worktree);
    const events: ExecutorEvent[] = [{ type: 'tool_call', callId, tool, action, ...(summary === undefined ? {} : { summary }), ...(input === undefined ? {} : { input }) }];
    if (editedPath === undefined || change === undefined) return events;
    const edit = { path: editedPath, change };
    if (resultsKnown) pendingEdits.set(callId, edit);
    else events.push({ type: 'file_change', ...edit });
    return events;
  }

  function toolResultEvents(line: Record<string, unknown>, raw: string): ExecutorEvent[] {
    // A CLI that runs one tool at a time may not repeat the call's id on its result.
    const callId = (mapping.toolCallIdField === undefined ? undefined : callIdOf(valueAt(line, mapping.toolCallIdField))) ?? lastCallId;
    if (callId === undefined) return [stdoutLog('warn', `a tool result that matches no tool call: ${raw}`)];
    const error = mapping.errorField === undefined ? undefined : errorText(valueAt(line, mapping.errorField));
    const output = outputText(mapping.toolOutputField === undefined ? undefined : valueAt(line, mapping.toolOutputField)) ?? error;
    const events: ExecutorEvent[] = [{ type: 'tool_result', callId, isError: error !== undefined, ...(output === undefined ? {} : { output }) }];
    const edit = pendingEdits.get(callId);
    pendingEdits.delete(callId);
    if (edit !== undefined && error === undefined) events.push({ type: 'file_change', ...edit });
    return events;
  }

  /** The last result line decides: a later one without an error clears an earlier error. */
  function resultEvents(line: Record<string, unknown>): ExecutorEvent[] {
    reportedSummary = textAt(line, mapping.summaryField) ?? reportedSummary;
    reportedError = mapping.errorField === undefined ? undefined : errorText(valueAt(line, mapping.errorField));
    return [];
  }

  function usageEvents(line: Record<string, unknown>): ExecutorEvent[] {
    const read = (field: string | undefined) => (field === undefined ? undefined : valueAt(line, field));
    const fields = { inputTokens: tokenCount(read(mapping.inputTokensField)), outputTokens: tokenCount(read(mapping.outputTokensField)), costUsd: costUsd(read(mapping.costField)) };
    const reported = Object.entries(fields).filter(([, value]) => value !== undefined);
    return reported.length === 0 ? [] : [{ type: 'usage', ...(Object.fromEntries(reported) as Omit<UsageEvent, 'type'>) }];
  }

  function lineEvents(raw: string): ExecutorEvent[] {
    if (raw.trim() === '') return [];
    const line = parseJson(raw);
    if (line === undefined) return [stdoutLog('warn', `a line that is not JSON: ${raw}`)];
    if (!isRecord(line)) return [stdoutLog('warn', `a JSON line that is not an object: ${raw}`)];
    const kinds: Record<LineKind, () => ExecutorEvent[]> = {
      message: () => messageEvents(line),
      tool_call: () => toolCallEvents(line, raw),
      tool_result: () => toolResultEvents(line, raw),
      result: () => resultEvents(line),
      other: () => [],
    };
    const kind = kindOf(line);
    const events = [...sessionEvents(line), ...kinds[kind](), ...usageEvents(line)];
    return events.length > 0 || kind === 'result' ? events : [stdoutLog('debug', `a line the mapping does not cover: ${raw}`)];
  }

  return {
    readLine(raw) {
      try {
        return lineEvents(raw);
      } catch (error) {
        // The reads above are all checked; this only keeps a surprise from ending the run.
        return [stdoutLog('error', `could not read the line (${String(error)}): ${raw}`)];
      }
    },
    flush: () => [],
    done: (end) => processDone(end, { summary: reportedSummary ?? lastMessage, error: reportedError }),
    summary: () => reportedSummary ?? lastMessage,
  };
}
