/**
 * Turns the lines `claude -p --output-format stream-json --verbose` prints into the SDK's executor
 * events, and hands the control requests Claude sends (`can_use_tool`) to whoever answers them.
 * No I/O, so any executor that runs Claude Code can reuse it: it knows the protocol and nothing
 * about how the process runs. Lines are read as JSON objects, never by the order of their keys
 * (Claude 2.1.332 no longer prints `type` first).
 */
import { arrayAt, isRecord, numberAt, parseJson, recordAt, relativeToWorktree, stringAt, truncate, type DoneEvent, type ExecutorEvent, type JsonRecord, type LogEvent, type ProcessExit, type UsageEvent } from '@forge-core/sdk';
import { readControlRequest, type ClaudeControlRequest } from './claude-control-request.ts';
import { assistantErrorFailure, epochMs, runFailure, type ReportedFailure } from './claude-failure.ts';
import { describeToolCall, type ToolCallDescriber } from './claude-tools.ts';
import { doneEvent, type ClaudeResult } from './claude-outcome.ts';

/** Long enough to diagnose a stray line, short enough that a 200 KB line cannot bloat the log. */
export const MAX_LOG_TEXT_LENGTH = 2000;
/**
 * Caps on a tool call's input, as the codex pack caps its output and diffs: the host refuses an
 * event whose input is over 1,000,000 characters as JSON, and a Write of a large file is one.
 */
const MAX_TOOL_INPUT_LENGTH = 100_000;
const MAX_INPUT_TEXT_LENGTH = 20_000;

export interface ClaudeStreamParserOptions {
  /** The worktree; file paths inside it, or inside the cwd `system/init` reports, are made relative. */
  cwd?: string;
  /** The clock a reset time is measured against when the run ends; Date.now unless given. */
  now?: () => number;
  /** The CLI's name in the logs and errors the parser writes; `claude` unless given. */
  agent?: string;
  /** What a tool call means, for a CLI with tools of its own (Amp's `edit_file`); Claude Code's tools unless given. */
  describeToolCall?: ToolCallDescriber;
  /**
   * Where token usage is read: `result`, the totals of the closing line (Claude Code, the
   * default); or `assistant`, each assistant message's own usage as it arrives, once per message
   * id, for a CLI whose result carries none (Amp). The events of a run then add up to its usage.
   */
  usageFrom?: 'result' | 'assistant';
}

/** What one stdout line means. */
export interface ParsedClaudeLine {
  /** The events it stands for, possibly none. */
  events: ExecutorEvent[];
  /** A request Claude waits for an answer to, when the line is one. */
  controlRequest?: ClaudeControlRequest;
  /** The line is Claude's `result`: its turn is over. */
  isResult: boolean;
}

export interface ClaudeStreamParser {
  /** What one stdout line means. Never throws, whatever the line holds. */
  parseLine(line: string): ParsedClaudeLine;
  /** The run's single `done`, from what the stream reported, how the process ended and its last stderr lines. */
  finish(exit: ProcessExit, aborted: boolean, stderrTail?: readonly string[]): DoneEvent;
}

/** A file-editing call waiting for its result: only a call that succeeded changed the file. */
interface PendingEdit {
  tool: string;
  path: string;
}

const eventsOnly = (events: ExecutorEvent[]): ParsedClaudeLine => ({ events, isResult: false });

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

/** The usage a line reports: a result's totals (with its cost), or one assistant message's own. */
function usageEvent(line: JsonRecord, usage: JsonRecord = recordAt(line, 'usage') ?? {}): UsageEvent | undefined {
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

/**
 * A tool call's input fit for an event: as is when small enough, else with each long text cut
 * (the file's path and the like survive), else as its JSON text cut.
 */
function cappedToolInput(input: JsonRecord): JsonRecord {
  const json = JSON.stringify(input);
  if (json.length <= MAX_TOOL_INPUT_LENGTH) return input;
  const shortened = Object.fromEntries(Object.entries(input).map(([key, value]) => [key, typeof value === 'string' ? truncate(value, MAX_INPUT_TEXT_LENGTH) : value]));
  return JSON.stringify(shortened).length <= MAX_TOOL_INPUT_LENGTH ? shortened : { truncatedInput: truncate(json, MAX_TOOL_INPUT_LENGTH) };
}

/** Claude 2.1.332 retries an unreachable API for minutes, printing only these: a person watching must see them. */
function apiRetryLog(line: JsonRecord, agent: string): LogEvent {
  const attempt = numberAt(line, 'attempt');
  const maxRetries = numberAt(line, 'max_retries');
  const delayMs = numberAt(line, 'retry_delay_ms');
  const status = numberAt(line, 'error_status');
  const which = attempt === undefined ? '' : ` (attempt ${attempt}${maxRetries === undefined ? '' : ` of ${maxRetries}`})`;
  const next = delayMs === undefined ? '' : ` in ${delayMs} ms`;
  const cause = `${stringAt(line, 'error') ?? 'unknown error'}${status === undefined ? '' : `, HTTP ${status}`}`;
  return stdoutLog('warn', `${agent}'s API request failed, retrying${which}${next}: ${cause}`);
}

export function createClaudeStreamParser(options: ClaudeStreamParserOptions = {}): ClaudeStreamParser {
  const roots: string[] = options.cwd === undefined ? [] : [options.cwd];
  const now = options.now ?? Date.now;
  const agent = options.agent ?? 'claude';
  const describe = options.describeToolCall ?? describeToolCall;
  const usageFrom = options.usageFrom ?? 'result';
  /** The assistant messages whose usage was counted: a message split over several lines repeats it. */
  const countedMessages = new Set<string>();
  let result: ClaudeResult | undefined;
  let lastAssistantText: string | undefined;
  let reportedFailure: ReportedFailure | undefined;
  const pendingEdits = new Map<string, PendingEdit>();

  /** The first structured report names the kind; a later one of the same kind may add the reset time. */
  function report(failure: ReportedFailure): void {
    if (reportedFailure === undefined) reportedFailure = failure;
    else if (reportedFailure.kind === failure.kind && failure.resetsAtMs !== undefined) reportedFailure = { ...reportedFailure, resetsAtMs: failure.resetsAtMs };
  }

  function systemEvents(line: JsonRecord, raw: string): ExecutorEvent[] {
    const subtype = stringAt(line, 'subtype');
    if (subtype === 'api_retry') return [apiRetryLog(line, agent)];
    if (subtype !== 'init') return [stdoutLog('debug', `${agent} system/${subtype ?? '?'}: ${raw}`)];
    const sessionId = stringAt(line, 'session_id');
    if (sessionId === undefined) return [stdoutLog('warn', `${agent} system/init without a session_id: ${raw}`)];
    const reportedCwd = stringAt(line, 'cwd');
    if (reportedCwd !== undefined && !roots.includes(reportedCwd)) roots.push(reportedCwd);
    const model = stringAt(line, 'model');
    return [{ type: 'session', sessionId, ...(model === undefined ? {} : { model }) }];
  }

  /** A sub-agent's words (a Task tool's) are shown but never become the run's summary. */
  function assistantBlockEvents(block: unknown, fromSubagent: boolean): ExecutorEvent[] {
    if (!isRecord(block)) return [stdoutLog('warn', `${agent} assistant content that is not an object: ${JSON.stringify(block)}`)];
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
        if (callId === undefined || tool === undefined) return [stdoutLog('warn', `${agent} tool_use without an id or name: ${JSON.stringify(block)}`)];
        const input = recordAt(block, 'input') ?? {};
        const { action, summary, editedPath } = describe(tool, input, roots);
        if (editedPath !== undefined) pendingEdits.set(callId, { tool, path: editedPath });
        return [{ type: 'tool_call', callId, tool, action, ...(summary === undefined ? {} : { summary }), input: cappedToolInput(input) }];
      }
      default:
        return [stdoutLog('warn', `unknown ${agent} assistant content block ${JSON.stringify(block['type'])}`)];
    }
  }

  /** Claude Code reports whether Write created the file in the line's `tool_use_result`. */
  function fileChange(edit: PendingEdit, line: JsonRecord): ExecutorEvent {
    const created = edit.tool === 'Write' && recordAt(line, 'tool_use_result')?.['type'] === 'create';
    return { type: 'file_change', path: relativeToWorktree(edit.path, roots), change: created ? 'added' : 'modified' };
  }

  function userBlockEvents(block: unknown, line: JsonRecord): ExecutorEvent[] {
    if (!isRecord(block)) return [stdoutLog('warn', `${agent} user content that is not an object: ${JSON.stringify(block)}`)];
    if (block['type'] === 'text') {
      const text = stringAt(block, 'text');
      return text === undefined || text.trim() === '' ? [] : [{ type: 'message', role: 'user', text }];
    }
    if (block['type'] !== 'tool_result') return [stdoutLog('warn', `unknown ${agent} user content block ${JSON.stringify(block['type'])}`)];
    const callId = stringAt(block, 'tool_use_id');
    if (callId === undefined) return [stdoutLog('warn', `${agent} tool_result without a tool_use_id: ${JSON.stringify(block)}`)];
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

  /**
   * Claude reports its rate limits as they change: `allowed`, `allowed_warning` when close, and
   * `rejected` when a limit stopped it, with the time the limit resets.
   */
  function rateLimitEvents(line: JsonRecord, raw: string): ExecutorEvent[] {
    const info = recordAt(line, 'rate_limit_info') ?? {};
    const status = stringAt(info, 'status');
    const limit = stringAt(info, 'rateLimitType') ?? 'rate';
    const resetsAt = numberAt(info, 'resetsAt');
    const resetsAtMs = resetsAt === undefined ? undefined : epochMs(resetsAt);
    const resets = resetsAtMs === undefined ? '' : `; it resets at ${new Date(resetsAtMs).toISOString()}`;
    if (status === 'rejected') {
      report({ kind: 'rate_limit', ...(resetsAtMs === undefined ? {} : { resetsAtMs }) });
      return [stdoutLog('warn', `${agent} hit its ${limit} limit${resets}`)];
    }
    if (status === 'allowed_warning') return [stdoutLog('info', `${agent} is close to its ${limit} limit${resets}`)];
    return [stdoutLog('debug', `${agent} rate_limit_event: ${raw}`)];
  }

  function resultEvents(line: JsonRecord): ExecutorEvent[] {
    const text = stringAt(line, 'result');
    const error = stringAt(line, 'error');
    result = {
      subtype: stringAt(line, 'subtype') ?? 'unknown',
      isError: line['is_error'] === true,
      ...(text === undefined ? {} : { text }),
      errors: [...(arrayAt(line, 'errors') ?? []), ...(error === undefined ? [] : [error])].filter((reason): reason is string => typeof reason === 'string'),
    };
    const usage = usageFrom === 'result' ? usageEvent(line) : undefined;
    return usage === undefined ? [] : [usage];
  }

  /** An assistant message Claude made up for an API failure carries the failure's kind in `error`. */
  function messageEvents(type: 'assistant' | 'user', line: JsonRecord, raw: string): ExecutorEvent[] {
    const content = messageContent(line);
    if (content === undefined) return [stdoutLog('warn', `${agent} ${type} line without message content: ${raw}`)];
    if (type === 'user') return content.flatMap((block) => userBlockEvents(block, line));
    const error = stringAt(line, 'error');
    const failure = error === undefined ? undefined : assistantErrorFailure(error);
    if (failure !== undefined) report(failure);
    const fromSubagent = typeof line['parent_tool_use_id'] === 'string';
    const events = content.flatMap((block) => assistantBlockEvents(block, fromSubagent));
    const usage = usageFrom === 'assistant' ? messageUsage(line) : undefined;
    return usage === undefined ? events : [...events, usage];
  }

  /** An assistant message's own usage, the first time its id is seen. */
  function messageUsage(line: JsonRecord): UsageEvent | undefined {
    const message = recordAt(line, 'message');
    const usage = recordAt(message, 'usage');
    if (usage === undefined) return undefined;
    const id = stringAt(message, 'id');
    if (id !== undefined && countedMessages.has(id)) return undefined;
    if (id !== undefined) countedMessages.add(id);
    return usageEvent(line, usage);
  }

  function readLine(raw: string): ParsedClaudeLine {
    if (raw.trim() === '') return eventsOnly([]);
    const line = parseJson(raw);
    if (line === undefined) return eventsOnly([stdoutLog('warn', `${agent} printed a line that is not JSON: ${raw}`)]);
    if (!isRecord(line)) return eventsOnly([stdoutLog('warn', `${agent} printed JSON that is not an object: ${raw}`)]);
    const type = line['type'];
    switch (type) {
      case 'system':
        return eventsOnly(systemEvents(line, raw));
      case 'assistant':
      case 'user':
        return eventsOnly(messageEvents(type, line, raw));
      case 'result':
        return { events: resultEvents(line), isResult: true };
      case 'control_request': {
        const controlRequest = readControlRequest(line, roots);
        return controlRequest === undefined ? eventsOnly([stdoutLog('warn', `${agent} sent a control request without a request_id: ${raw}`)]) : { events: [], controlRequest, isResult: false };
      }
      // Claude's answer to a request of ours (the interrupt), and its withdrawal of a question of its own.
      case 'control_response':
      case 'control_cancel_request':
        return eventsOnly([stdoutLog('debug', `${agent} ${type}: ${raw}`)]);
      case 'rate_limit_event':
        return eventsOnly(rateLimitEvents(line, raw));
      // Partial messages repeat what the complete assistant line that follows them says.
      case 'stream_event':
        return eventsOnly([]);
      default:
        return eventsOnly([stdoutLog('warn', `unknown ${agent} message type ${JSON.stringify(type)}: ${raw}`)]);
    }
  }

  /**
   * The texts that may say why a run failed: the reasons the result lists, and its text when it
   * is an error (otherwise it is the model's answer, which may well talk about rate limits).
   */
  const failureTexts = () => [...(result?.isError && result.text !== undefined ? [result.text] : []), ...(result?.errors ?? [])];

  return {
    parseLine(line) {
      try {
        return readLine(line);
      } catch (error) {
        // The checks above should make this unreachable; the contract says a bad line never ends a run.
        return eventsOnly([stdoutLog('error', `could not interpret ${agent} output (${String(error)}): ${line}`)]);
      }
    },
    finish(exit, aborted, stderrTail = []) {
      return doneEvent({ agent, result, lastAssistantText, exit, aborted, failure: runFailure(reportedFailure, failureTexts(), now()), stderrTail });
    },
  };
}
