import { truncate, withoutTerminalEscapes, type ExecutorEvent, type LogEvent, type ManagedProcess, type RunContext, type SpawnOptions } from '@forge-core/sdk';
import type { ClaudeControlRequest } from './claude-control-request.ts';
import { controlErrorLine, interruptRequestLine, permissionResponseLine } from './claude-input-lines.ts';
import { createClaudeStreamParser, MAX_LOG_TEXT_LENGTH } from './parse-claude-stream.ts';

/** How to start a CLI that prints Claude Code's stream-json on stdout. */
export interface ClaudeInvocation {
  command: string;
  args: readonly string[];
  /**
   * `interactive` with the prompt as a stream-json user line in `stdin`: Forge answers Claude's
   * control requests and closes its input after the result. Otherwise the prompt is plain text
   * on stdin, closed at once, and the output is only read.
   */
  spawnOptions: SpawnOptions;
}

const log = (level: LogEvent['level'], text: string): LogEvent => ({ type: 'log', level, text });

/** How many of claude's last stderr lines the failure of a run that ended without a result quotes. */
const STDERR_TAIL_LINES = 5;

/**
 * Answers one control request: an approval through the host, anything else with an error. A
 * claude that dies while the approval waits will never read the answer, so the wait ends with it.
 */
async function* answer(request: ClaudeControlRequest, child: ManagedProcess, ctx: RunContext): AsyncGenerator<ExecutorEvent> {
  if (request.approval === undefined) {
    child.writeLine(controlErrorLine(request.requestId, `Forge does not handle ${request.subtype} control requests`));
    yield log('warn', `claude sent a ${request.subtype} control request, which Forge does not handle; it was answered with an error`);
    return;
  }
  const decision = await Promise.race([ctx.requestApproval(request.approval), child.exited.then(() => undefined)]);
  // Once stopped, the interrupt has gone out and the input is closed: there is nobody to answer.
  if (decision !== undefined && !ctx.signal.aborted) child.writeLine(permissionResponseLine(request.requestId, request.approval.input, decision));
}

/**
 * Runs Claude Code (or a CLI speaking its stream-json) in the worktree and yields its events as
 * they arrive, then exactly one `done`. Once the run is stopped it yields nothing but that
 * `done`: an interactive CLI is sent an interrupt and its input is closed, and the host kills
 * its process group.
 */
export async function* runClaudeSession(invocation: ClaudeInvocation, ctx: RunContext): AsyncGenerator<ExecutorEvent> {
  const parser = createClaudeStreamParser({ cwd: ctx.worktree.path });
  const child = ctx.spawn(invocation.command, invocation.args, invocation.spawnOptions);
  const interactive = invocation.spawnOptions.interactive === true;
  const interrupt = () => {
    child.writeLine(interruptRequestLine());
    child.closeStdin();
  };
  const stderrTail: string[] = [];
  if (interactive && ctx.signal.aborted) interrupt();
  else if (interactive) ctx.signal.addEventListener('abort', interrupt, { once: true });
  try {
    reading: for await (const line of child.lines()) {
      if (ctx.signal.aborted) break;
      if (line.stream === 'stderr') {
        const clean = withoutTerminalEscapes(line.text).trim();
        if (clean !== '') stderrTail.push(clean);
        if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
        yield { type: 'log', level: 'warn', stream: 'stderr', text: truncate(line.text, MAX_LOG_TEXT_LENGTH) };
        continue;
      }
      const { events, controlRequest, isResult } = parser.parseLine(line.text);
      for (const event of events) {
        if (ctx.signal.aborted) break reading;
        yield event;
      }
      if (ctx.signal.aborted) break;
      if (controlRequest !== undefined) {
        if (interactive) yield* answer(controlRequest, child, ctx);
        else yield log('warn', `claude sent a ${controlRequest.subtype} control request, but its input is not open to answer it`);
      }
      // Claude waits for another user message after its result; there is none, so its input ends.
      if (isResult && interactive) child.closeStdin();
    }
  } finally {
    ctx.signal.removeEventListener('abort', interrupt);
  }
  const exit = await child.exited;
  yield parser.finish(exit, ctx.signal.aborted, stderrTail);
}
