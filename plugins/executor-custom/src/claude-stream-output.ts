import type { ExecutorEvent, LogEvent } from '@forge-core/sdk';
import { createClaudeStreamParser } from '@forge-core/executor-claude-code/stream';
import type { OutputReader } from './output-reader.ts';
import { withStderr } from './run-outcome.ts';

/**
 * Claude asks before a tool runs only when its arguments say `--permission-prompt-tool stdio`
 * and it reads stream-json input. The custom executor writes the prompt and closes stdin, so
 * such a request can never be answered: the profile must give permission flags instead.
 */
function unanswerable(subtype: string, tool: string | undefined): LogEvent {
  const what = tool === undefined ? `a ${subtype} control request` : `permission to use ${tool}`;
  return {
    type: 'log',
    level: 'warn',
    text: `${what} was asked for, which the custom executor cannot answer (it has no approvals); give the CLI permission flags in args, such as --permission-mode acceptEdits`,
  };
}

/**
 * Reads Claude Code's `--output-format stream-json` through the claude-code pack's own parser,
 * so a profile running `claude` (or a CLI speaking its protocol) reports what the claude-code
 * executor reports. A failure also quotes the CLI's last stderr lines.
 */
export function createClaudeStreamReader(worktree: string): OutputReader {
  const parser = createClaudeStreamParser({ cwd: worktree });
  let lastMessage: string | undefined;
  return {
    readLine(line) {
      const { events, controlRequest } = parser.parseLine(line);
      for (const event of events) if (event.type === 'message' && event.role === 'assistant') lastMessage = event.text;
      const warning: ExecutorEvent[] = controlRequest === undefined ? [] : [unanswerable(controlRequest.subtype, controlRequest.approval?.tool)];
      return [...events, ...warning];
    },
    flush: () => [],
    done(end) {
      const done = parser.finish(end.exit, end.aborted);
      return done.status === 'failed' ? { ...done, error: withStderr(done.error ?? `${end.command} failed`, end.stderrTail) } : done;
    },
    summary: () => lastMessage,
  };
}
