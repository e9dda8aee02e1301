import { commandSetting, truncate, visibleText, type ExecutorEvent, type RunContext } from '@forge-core/sdk';
import { cursorInvocation } from './cursor-invocation.ts';
import { cursorAgentConfig, type CursorAgentOptions } from './cursor-options.ts';
import { doneEvent, timedOutDone } from './cursor-outcome.ts';
import { MAX_LOG_TEXT_LENGTH } from './event-limits.ts';
import { createCursorStreamParser } from './parse-cursor-stream.ts';
import { startTurnDeadline, TIMED_OUT } from './turn-deadline.ts';

/** How many of cursor-agent's last stderr lines a failure quotes and is typed from. */
const STDERR_TAIL_LINES = 5;

const failed = (error: string): ExecutorEvent => ({ type: 'done', status: 'failed', error });

/**
 * cursor-agent has no per-run MCP mechanism: it reads only ~/.cursor/mcp.json and the project's
 * .cursor/mcp.json, and Forge edits neither (nor writes into the worktree's .cursor/). Said once
 * a run, so the missing servers are not a mystery.
 */
function warnAboutMcpServers(ctx: RunContext): void {
  if (ctx.mcpServers.length === 0) return;
  const names = ctx.mcpServers.map((server) => server.name).join(', ');
  ctx.log.warn(
    `This run has ${ctx.mcpServers.length} MCP server(s) (${names}), but cursor-agent takes MCP servers only from ~/.cursor/mcp.json and the project's .cursor/mcp.json, which Forge does not edit; the agent runs without them.`,
  );
}

/**
 * Runs cursor-agent once in print mode, in the worktree, the prompt on stdin, and yields its
 * events as they arrive, then exactly one `done`. Once the run is stopped it yields nothing but
 * that `done` (the host kills the process group). A run that goes past `turnTimeoutMs` fails
 * saying so; the host then stops cursor-agent, as it stops whatever a finished run left behind.
 */
export async function* runCursorAgent(prompt: string, options: CursorAgentOptions, ctx: RunContext, sessionId?: string): AsyncGenerator<ExecutorEvent> {
  const config = cursorAgentConfig(ctx.config);
  const command = commandSetting('cursor-agent', config.command, 'cursor-agent');
  if ('problem' in command) {
    yield failed(command.problem);
    return;
  }
  if (ctx.signal.aborted) {
    yield { type: 'done', status: 'cancelled' };
    return;
  }
  warnAboutMcpServers(ctx);

  const invocation = cursorInvocation({ prompt, options, config, command, ...(sessionId === undefined ? {} : { sessionId }) }, ctx.log);
  const parser = createCursorStreamParser({ worktree: ctx.worktree.path, partialOutput: invocation.partialOutput });
  const child = ctx.spawn(invocation.command, invocation.args, { env: invocation.env, stdin: invocation.stdin });
  const lines = child.lines()[Symbol.asyncIterator]();
  const deadline = startTurnDeadline(options.turnTimeoutMs);
  const stderrTail: string[] = [];
  const timedOut = function* (): Generator<ExecutorEvent> {
    if (ctx.signal.aborted) {
      yield { type: 'done', status: 'cancelled' };
      return;
    }
    yield* parser.flush();
    yield timedOutDone(options.turnTimeoutMs, parser.report(), stderrTail);
  };
  try {
    for (;;) {
      const next = await deadline.race(lines.next());
      if (next === TIMED_OUT) {
        yield* timedOut();
        return;
      }
      if (next.done) break;
      // Once stopped, the output is still read to its end (the pipes must drain) but nothing more is reported.
      if (ctx.signal.aborted) continue;
      const { stream, text } = next.value;
      if (stream === 'stderr') {
        const visible = visibleText(text).trimEnd();
        if (visible.trim() === '') continue;
        stderrTail.push(visible.trim());
        if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
        yield { type: 'log', level: 'warn', stream: 'stderr', text: truncate(visible, MAX_LOG_TEXT_LENGTH) };
        continue;
      }
      for (const event of parser.parseLine(text)) {
        if (ctx.signal.aborted) break;
        yield event;
      }
    }
    const exit = await deadline.race(child.exited);
    if (exit === TIMED_OUT) {
      yield* timedOut();
      return;
    }
    const aborted = ctx.signal.aborted;
    if (!aborted) yield* parser.flush();
    yield doneEvent({ report: parser.report(), exit, aborted, stderrTail });
  } finally {
    deadline.clear();
  }
}
