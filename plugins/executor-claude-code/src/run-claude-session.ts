import { truncate, withoutTerminalEscapes, type DoneEvent, type ExecutorEvent, type LogEvent, type ManagedProcess, type OutputLine, type RunContext, type SpawnOptions } from '@forge-core/sdk';
import type { ClaudeControlRequest } from './claude-control-request.ts';
import { controlErrorLine, interruptRequestLine, permissionResponseLine } from './claude-input-lines.ts';
import { createClaudeStreamParser, MAX_LOG_TEXT_LENGTH, type ClaudeStreamParserOptions } from './parse-claude-stream.ts';

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

/** How to read a CLI that speaks Claude's stream-json in a dialect of its own (Amp). Claude Code needs none of it. */
export interface ClaudeSessionOptions {
  /** Its name in logs and errors, its tools, where its usage is. */
  parser?: Pick<ClaudeStreamParserOptions, 'agent' | 'describeToolCall' | 'usageFrom'>;
  /**
   * A line that means the run cannot go on, such as an interactive login started on stdout: the
   * `done` to end the run with, at once, without waiting for a CLI that may wait forever (the
   * host stops its process when the run ends). Undefined for every other line.
   */
  endsRun?(line: OutputLine): DoneEvent | undefined;
}

const log = (level: LogEvent['level'], text: string): LogEvent => ({ type: 'log', level, text });

/** How many of claude's last stderr lines the failure of a run that ended without a result quotes. */
const STDERR_TAIL_LINES = 5;

/**
 * Answers one control request: an approval through the host, anything else with an error. A
 * claude that dies while the approval waits will never read the answer, so the wait ends with it.
 */
async function* answer(request: ClaudeControlRequest, child: ManagedProcess, ctx: RunContext, agent: string): AsyncGenerator<ExecutorEvent> {
  if (request.approval === undefined) {
    child.writeLine(controlErrorLine(request.requestId, `Forge does not handle ${request.subtype} control requests`));
    yield log('warn', `${agent} sent a ${request.subtype} control request, which Forge does not handle; it was answered with an error`);
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
export async function* runClaudeSession(invocation: ClaudeInvocation, ctx: RunContext, session: ClaudeSessionOptions = {}): AsyncGenerator<ExecutorEvent> {
  const parser = createClaudeStreamParser({ ...session.parser, cwd: ctx.worktree.path });
  const agent = session.parser?.agent ?? 'claude';
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
      const ending = session.endsRun?.(line);
      if (ending !== undefined) {
        yield ending;
        return;
      }
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
        if (interactive) yield* answer(controlRequest, child, ctx, agent);
        else yield log('warn', `${agent} sent a ${controlRequest.subtype} control request, but its input is not open to answer it`);
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
