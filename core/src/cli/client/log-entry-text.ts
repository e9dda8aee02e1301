import type { ToolActionKind } from '@forge-core/sdk';
import type { AttemptView, LogEntry, LogEvent } from './api-types.ts';
import type { CommandContext } from './client-command.ts';
import { terminalSafe, type Style } from './terminal-style.ts';

// A tool's output beyond this many lines is cut in the terminal; `forgecore logs --json` has it whole.
const OUTPUT_LINES = 12;

/**
 * An attempt's log entries as a person reads them in a terminal: the agent's messages as text,
 * tool calls as one line (commands as `$ command`), command output indented under them, file
 * changes, approvals, script output and the outcome. Keeps what each tool call was, so its
 * result is shown or left out by kind: a command's output is shown, a read file's content is not.
 */
export class LogEntryText {
  private readonly actions = new Map<string, ToolActionKind>();

  constructor(
    private readonly style: Style,
    /** The commands it suggests (answering an approval), for the same server. */
    private readonly forgecore: CommandContext['forgecore'],
  ) {}

  /** The entry's lines, or null for one with nothing to show. */
  render(entry: LogEntry): string | null {
    const { bold, dim, red, green, yellow, cyan, magenta } = this.style;
    const event = { type: entry.kind, ...entry.payload } as LogEvent;
    switch (event.type) {
      case 'session':
        return dim(`· session ${terminalSafe(event.sessionId)}${event.model ? `, model ${terminalSafe(event.model)}` : ''}`);
      case 'message': {
        const text = terminalSafe(event.text);
        return event.role === 'assistant' ? text : dim(`${event.role}: ${text}`);
      }
      case 'thinking':
        return dim(`thinking: ${terminalSafe(event.text)}`);
      case 'tool_call': {
        this.actions.set(event.callId, event.action);
        const summary = event.summary ? terminalSafe(event.summary) : '';
        return event.action === 'command' && summary ? cyan(`$ ${summary}`) : `${cyan(`→ ${terminalSafe(event.tool)}`)}${summary ? ` ${summary}` : ''}`;
      }
      case 'tool_result': {
        const action = this.actions.get(event.callId);
        this.actions.delete(event.callId);
        const output = event.output ? terminalSafe(event.output).trimEnd() : '';
        if (event.isError) return red(indented(output === '' ? 'the tool failed' : output, '✗ '));
        // What a read or an edit returns is the file or a confirmation: the call line said enough.
        if (output === '' || action === 'file_read' || action === 'file_edit') return null;
        return dim(indented(output, '  '));
      }
      case 'file_change': {
        const path = terminalSafe(event.path);
        return yellow(`~ ${event.change} ${event.oldPath ? `${terminalSafe(event.oldPath)} → ${path}` : path}`);
      }
      case 'approval_request':
        return magenta(`? ${terminalSafe(event.tool)} waits for approval: ${this.forgecore('approvals approve', event.requestId)} (or deny)`);
      case 'approval_result':
        return magenta(`? ${event.state}${event.by ? ` by ${event.by}` : ''}${event.reason ? `: ${terminalSafe(event.reason)}` : ''}`);
      case 'usage':
        return dim(`· ${usageText(event)}`);
      case 'log': {
        const text = terminalSafe(event.text);
        return event.level === 'error' ? red(text) : event.level === 'warn' ? yellow(text) : event.level === 'debug' ? dim(text) : text;
      }
      case 'done': {
        const about = event.summary ?? event.error;
        const line = `${event.status === 'succeeded' ? '✓' : '✗'} agent ${event.status === 'succeeded' ? 'finished' : event.status}${about ? `: ${terminalSafe(about)}` : ''}`;
        return event.status === 'succeeded' ? green(line) : event.status === 'failed' ? red(bold(line)) : yellow(line);
      }
      default:
        return dim(`[${terminalSafe(entry.kind)}] ${terminalSafe(JSON.stringify(entry.payload))}`);
    }
  }
}

/** The last line of a followed attempt: how it ended, and what to do next. */
export function outcomeText(attempt: AttemptView, style: Style, forgecore: CommandContext['forgecore']): string {
  switch (attempt.state) {
    case 'succeeded':
      // Merged already (a log followed afterwards): merging it again is no next step.
      if (attempt.mergeCommit) return style.green(style.bold(`✓ Attempt ${attempt.id} succeeded`)) + ` on branch ${attempt.branch}, merged as ${attempt.mergeCommit}.`;
      return style.green(style.bold(`✓ Attempt ${attempt.id} succeeded`)) + ` on branch ${attempt.branch}. See it: ${forgecore('attempt diff', attempt.id)}; merge it: ${forgecore('attempt merge', attempt.id)}`;
    case 'failed':
      return style.red(style.bold(`✗ Attempt ${attempt.id} failed`)) + (attempt.error ? `: ${attempt.error.code}: ${terminalSafe(attempt.error.message)}` : '');
    case 'cancelled':
      return style.yellow(style.bold(`Attempt ${attempt.id} was cancelled`));
    default:
      return `Attempt ${attempt.id} is ${attempt.state}`;
  }
}

function indented(text: string, prefix: string): string {
  const lines = text.split('\n');
  const shown = lines.slice(0, OUTPUT_LINES).map((line) => `${prefix}${line}`);
  if (lines.length > OUTPUT_LINES) shown.push(`${' '.repeat(prefix.length)}… ${lines.length - OUTPUT_LINES} more lines (forgecore logs --json has them all)`);
  return shown.join('\n');
}

function usageText(usage: Extract<LogEvent, { type: 'usage' }>): string {
  const parts = [
    usage.inputTokens !== undefined && `${usage.inputTokens} tokens in`,
    usage.outputTokens !== undefined && `${usage.outputTokens} out`,
    usage.cacheReadTokens ? `${usage.cacheReadTokens} read from cache` : false,
    usage.costUsd !== undefined && `$${usage.costUsd.toFixed(4)}`,
  ].filter(Boolean);
  return `usage: ${parts.join(', ')}`;
}
