/**
 * Turns the lines `cursor-agent -p --output-format stream-json` prints into the SDK's executor
 * events, following Cursor's output-format reference (cursor.com/docs/cli/reference/output-format):
 * `system/init` (session_id, model, cwd), the `user` echo of the prompt, `thinking` deltas ending
 * in `completed`, `assistant` messages, `tool_call` `started`/`completed` pairs sharing a
 * `call_id`, and the closing `result` with camelCase `usage`. No I/O; lines are read as JSON
 * objects, never by the order of their keys, and a line it cannot use becomes a log, never an
 * exception.
 */
import {
  isRecord,
  numberAt,
  parseJson,
  recordAt,
  relativeToWorktree,
  stringAt,
  truncate,
  worktreeRoots,
  type ExecutorEvent,
  type JsonRecord,
  type LogEvent,
  type UsageEvent,
} from '@forge-core/sdk';
import { createAssistantText } from './assistant-text.ts';
import { fileChangeOf, readToolCall, toolOutcome, toolSummary, type CursorToolCall } from './cursor-tools.ts';
import { cappedToolInput, MAX_ID_LENGTH, MAX_LOG_TEXT_LENGTH, MAX_TEXT_LENGTH } from './event-limits.ts';

export interface CursorStreamParserOptions {
  /** The worktree: paths inside it, or inside the cwd `system/init` reports, are made relative. */
  worktree: string;
  /** The run asked for --stream-partial-output: assistant lines with `timestamp_ms` are deltas. */
  partialOutput: boolean;
}

/** What cursor-agent's closing `result` line said. */
export interface CursorResult {
  subtype: string;
  isError: boolean;
  /** On success, every message of the run joined (Cursor: "concatenation of all text deltas"). */
  text?: string;
}

/** What the stream reported about the run, for its `done`. */
export interface CursorStreamReport {
  result: CursorResult | undefined;
  /** The last message of the assistant: the run's summary. */
  lastAssistantText: string | undefined;
}

export interface CursorStreamParser {
  /** The events one stdout line stands for, possibly none. Never throws, whatever the line holds. */
  parseLine(line: string): ExecutorEvent[];
  /** The merged text and thinking not yet shown, once the output has ended. */
  flush(): ExecutorEvent[];
  report(): CursorStreamReport;
}

const MAX_MODEL_LENGTH = 200;
const TOKEN_FIELDS = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens'] as const;

function stdoutLog(level: LogEvent['level'], text: string): LogEvent {
  return { type: 'log', level, stream: 'stdout', text: truncate(text, MAX_LOG_TEXT_LENGTH) };
}

/** The text blocks of a message, joined; other blocks carry nothing a person reads. */
function messageText(line: JsonRecord): string | undefined {
  const content = recordAt(line, 'message')?.['content'];
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  return content.flatMap((block) => (isRecord(block) && block['type'] === 'text' && typeof block['text'] === 'string' ? [block['text']] : [])).join('');
}

function usageEvent(line: JsonRecord): UsageEvent | undefined {
  const usage = recordAt(line, 'usage');
  const counts = TOKEN_FIELDS.flatMap((field) => {
    const value = numberAt(usage, field);
    return value !== undefined && Number.isInteger(value) && value >= 0 ? [[field, value] as const] : [];
  });
  return counts.length === 0 ? undefined : { type: 'usage', ...Object.fromEntries(counts) };
}

export function createCursorStreamParser(options: CursorStreamParserOptions): CursorStreamParser {
  const roots = worktreeRoots(options.worktree);
  const assistant = createAssistantText(options.partialOutput);
  const started = new Map<string, CursorToolCall>();
  // The files this run wrote or edited: a write to one of them again is a modification.
  const touched = new Set<string>();
  let thinking = '';
  let sessionReported = false;
  let result: CursorResult | undefined;
  let lastAssistantText: string | undefined;

  function message(text: string): ExecutorEvent {
    lastAssistantText = text;
    return { type: 'message', role: 'assistant', text: truncate(text, MAX_TEXT_LENGTH) };
  }

  function flushThinking(): ExecutorEvent[] {
    const text = thinking;
    thinking = '';
    return text.trim() === '' ? [] : [{ type: 'thinking', text: truncate(text, MAX_TEXT_LENGTH) }];
  }

  function flushAssistant(): ExecutorEvent[] {
    const text = assistant.flush();
    return text === undefined ? [] : [message(text)];
  }

  function sessionEvents(line: JsonRecord, raw: string): ExecutorEvent[] {
    const sessionId = stringAt(line, 'session_id');
    if (sessionId === undefined || sessionId === '') return [stdoutLog('warn', `cursor-agent system/init without a session_id: ${raw}`)];
    if (sessionId.length > MAX_ID_LENGTH) return [stdoutLog('warn', `cursor-agent reported a session id longer than ${MAX_ID_LENGTH} characters, which cannot be resumed: ${raw}`)];
    sessionReported = true;
    const model = stringAt(line, 'model')?.slice(0, MAX_MODEL_LENGTH);
    return [{ type: 'session', sessionId, ...(model ? { model } : {}) }];
  }

  function systemEvents(line: JsonRecord, raw: string): ExecutorEvent[] {
    if (stringAt(line, 'subtype') !== 'init') return [stdoutLog('debug', `cursor-agent system line: ${raw}`)];
    const cwd = stringAt(line, 'cwd');
    if (cwd !== undefined && cwd !== '' && !roots.includes(cwd)) roots.push(cwd);
    return sessionEvents(line, raw);
  }

  function thinkingEvents(line: JsonRecord, raw: string): ExecutorEvent[] {
    const subtype = stringAt(line, 'subtype');
    if (subtype === 'delta') {
      thinking += stringAt(line, 'text') ?? '';
      return [];
    }
    if (subtype === 'completed') return flushThinking();
    return [stdoutLog('debug', `cursor-agent thinking line: ${raw}`)];
  }

  function assistantEvents(line: JsonRecord, raw: string): ExecutorEvent[] {
    const text = messageText(line);
    if (text === undefined) return [stdoutLog('warn', `cursor-agent assistant line without message content: ${raw}`)];
    const isDelta = line['timestamp_ms'] !== undefined && line['model_call_id'] === undefined;
    const complete = assistant.read(text, isDelta);
    return complete === undefined ? [] : [message(complete)];
  }

  function toolCallEvent(callId: string, call: CursorToolCall): ExecutorEvent {
    const summary = toolSummary(call, roots);
    return { type: 'tool_call', callId, tool: call.tool, action: call.action, ...(summary === undefined ? {} : { summary }), input: cappedToolInput(call.args) };
  }

  function completedEvents(callId: string, completed: CursorToolCall): ExecutorEvent[] {
    const earlier = started.get(callId);
    started.delete(callId);
    // cursor-agent may leave the arguments out of the completed line; the started one had them.
    const call = Object.keys(completed.args).length === 0 && earlier !== undefined ? { ...completed, args: earlier.args } : completed;
    const events: ExecutorEvent[] = earlier === undefined ? [toolCallEvent(callId, call)] : [];
    const outcome = toolOutcome(call, roots);
    events.push({ type: 'tool_result', callId, isError: outcome.isError, ...(outcome.output === undefined ? {} : { output: outcome.output }) });
    const changed = outcome.isError ? undefined : fileChangeOf(call);
    if (changed !== undefined) {
      const filePath = relativeToWorktree(changed.path, roots);
      // cursor-agent does not say whether a write replaced a file. Its agent changes existing files with the edit tool, so a
      // run's first write to a path is taken as new.
      const change = changed.change === 'write' ? (touched.has(filePath) ? 'modified' : 'added') : changed.change;
      if (change === 'deleted') touched.delete(filePath);
      else touched.add(filePath);
      events.push({ type: 'file_change', path: filePath, change });
    }
    return events;
  }

  function toolCallEvents(line: JsonRecord, raw: string): ExecutorEvent[] {
    const callId = stringAt(line, 'call_id');
    const toolCall = recordAt(line, 'tool_call');
    const call = toolCall === undefined ? undefined : readToolCall(toolCall);
    if (callId === undefined || callId === '' || callId.length > MAX_ID_LENGTH || call === undefined) {
      return [stdoutLog('warn', `cursor-agent tool_call without a usable call_id or tool: ${raw}`)];
    }
    switch (stringAt(line, 'subtype')) {
      case 'started':
        if (started.has(callId)) return [];
        started.set(callId, call);
        return [toolCallEvent(callId, call)];
      case 'completed':
        return completedEvents(callId, call);
      default:
        return [stdoutLog('debug', `cursor-agent tool_call line: ${raw}`)];
    }
  }

  function resultEvents(line: JsonRecord): ExecutorEvent[] {
    const text = stringAt(line, 'result');
    result = { subtype: stringAt(line, 'subtype') ?? 'unknown', isError: line['is_error'] === true, ...(text === undefined ? {} : { text }) };
    // A stream whose init was lost still names its chat here, and a follow-up needs it.
    const events = sessionReported || stringAt(line, 'session_id') === undefined ? [] : sessionEvents(line, JSON.stringify(line));
    const usage = usageEvent(line);
    return usage === undefined ? events : [...events, usage];
  }

  function readLine(raw: string): ExecutorEvent[] {
    if (raw.trim() === '') return [];
    const line = parseJson(raw);
    if (line === undefined) return [stdoutLog('warn', `cursor-agent printed a line that is not JSON: ${raw}`)];
    if (!isRecord(line)) return [stdoutLog('warn', `cursor-agent printed JSON that is not an object: ${raw}`)];
    const type = line['type'];
    // Thinking and the assistant's text arrive in pieces; anything else ends the piece before it.
    const before = [...(type === 'thinking' ? [] : flushThinking()), ...(type === 'assistant' ? [] : flushAssistant())];
    const events = (() => {
      switch (type) {
        case 'system':
          return systemEvents(line, raw);
        // The prompt, echoed: the host knows it already.
        case 'user':
          return [];
        case 'thinking':
          return thinkingEvents(line, raw);
        case 'assistant':
          return assistantEvents(line, raw);
        case 'tool_call':
          return toolCallEvents(line, raw);
        case 'result':
          return resultEvents(line);
        default:
          return [stdoutLog('warn', `unknown cursor-agent line type ${JSON.stringify(type)}: ${raw}`)];
      }
    })();
    return [...before, ...events];
  }

  return {
    parseLine(line) {
      try {
        return readLine(line);
      } catch (error) {
        // The checks above should make this unreachable; the contract says a bad line never ends a run.
        return [stdoutLog('error', `could not interpret cursor-agent output (${String(error)}): ${line}`)];
      }
    },
    flush() {
      return [...flushThinking(), ...flushAssistant()];
    },
    report() {
      return { result, lastAssistantText };
    },
  };
}
