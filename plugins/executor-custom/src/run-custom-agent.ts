import { truncate, visibleText, type ExecutorEvent, type LogEvent, type RunContext, type SpawnOptions } from '@forge-core/sdk';
import { agentEnvironment } from './agent-environment.ts';
import { usesPlaceholder } from './argument-template.ts';
import { argumentTemplate, customInvocation } from './custom-invocation.ts';
import type { CustomOptions } from './custom-options.ts';
import { writeMcpConfigFile } from './mcp-config-file.ts';
import { createOutputReader } from './output-readers.ts';
import { STDERR_TAIL_LINES, timedOutDone } from './run-outcome.ts';
import { startDeadline, TIMED_OUT } from './run-deadline.ts';
import { MAX_LOG_TEXT_LENGTH } from './text-limits.ts';

export interface CustomRun {
  prompt: string;
  options: CustomOptions;
  /** On a follow-up, the session the earlier run reported. */
  sessionId?: string;
}

/** A setting's list of names, as the host validated it (a list of strings), or none. */
function configuredNames(config: Readonly<Record<string, unknown>>): string[] {
  const names = config['passEnv'];
  return Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : [];
}

function compiledPattern(source: string | undefined, problems: string[]): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch (error) {
    problems.push(`sessionIdPattern is not a regular expression: ${(error as Error).message}`);
    return undefined;
  }
}

const note = (level: LogEvent['level'], text: string): LogEvent => ({ type: 'log', level, text });

/**
 * Runs the profile's command in the worktree and yields its events as they arrive, then exactly
 * one done. A profile that cannot run (a token with no variable to put it in) fails before
 * anything starts. With timeoutMs, a run that goes on longer ends failed; the host then stops
 * the agent, as it stops whatever a finished run left behind.
 */
export async function* runCustomAgent(run: CustomRun, ctx: RunContext): AsyncGenerator<ExecutorEvent> {
  const { options, sessionId } = run;
  // passEnv names variables of the server's own environment: the pack runs inside the server.
  const environment = agentEnvironment({ passEnv: [...configuredNames(ctx.config), ...options.passEnv], token: options.token, tokenEnv: options.tokenEnv }, process.env);
  const problems = [...environment.problems];
  const sessionIdPattern = compiledPattern(options.sessionIdPattern, problems);
  if (problems.length > 0) {
    yield { type: 'done', status: 'failed', error: `The custom executor's profile cannot run: ${problems.join('; ')}.` };
    return;
  }
  if (ctx.signal.aborted) {
    yield { type: 'done', status: 'cancelled' };
    return;
  }

  const template = argumentTemplate(options, sessionId);
  const notes = environment.warnings.map((warning) => note('warn', warning));
  let mcpConfig: string | undefined;
  if (usesPlaceholder(template, 'mcpConfig')) {
    try {
      mcpConfig = await writeMcpConfigFile(ctx.scratchDir, ctx.mcpServers);
    } catch (error) {
      yield { type: 'done', status: 'failed', error: `Could not write the MCP servers file for {mcpConfig} in ${ctx.scratchDir}: ${(error as Error).message}` };
      return;
    }
  } else if (ctx.mcpServers.length > 0) {
    notes.push(note('info', `This run has ${ctx.mcpServers.length} MCP server(s), but the profile's arguments hold no {mcpConfig}, so the agent does not get them.`));
  }
  const invocation = customInvocation({ options, prompt: run.prompt, worktree: ctx.worktree.path, mcpConfig, sessionId });
  if (sessionId !== undefined && !invocation.continuesSession) {
    notes.push(note('warn', `The profile gives no resumeArgs, so session ${sessionId} cannot be continued: ${options.command} starts afresh with the follow-up prompt.`));
  }

  const reader = createOutputReader(options, ctx.worktree.path, sessionIdPattern);
  const spawnOptions: SpawnOptions = { env: environment.env, ...(invocation.stdin === undefined ? {} : { stdin: invocation.stdin }) };
  const child = ctx.spawn(invocation.command, invocation.args, spawnOptions);
  for (const event of notes) {
    if (ctx.signal.aborted) break;
    yield event;
  }

  const stderrTail: string[] = [];
  const lines = child.lines()[Symbol.asyncIterator]();
  const deadline = startDeadline(options.timeoutMs);
  try {
    for (;;) {
      const next = await deadline.race(lines.next());
      if (next === TIMED_OUT) {
        if (ctx.signal.aborted) {
          yield { type: 'done', status: 'cancelled' };
        } else {
          yield* reader.flush();
          yield timedOutDone(options.command, options.timeoutMs ?? 0, reader.summary(), stderrTail);
        }
        return;
      }
      if (next.done) break;
      // Once stopped, the output is still read to its end (the pipes must drain) but nothing more is reported.
      if (ctx.signal.aborted) continue;
      const { stream, text } = next.value;
      if (stream === 'stdout') {
        yield* reader.readLine(text);
        continue;
      }
      const visible = visibleText(text).trimEnd();
      if (visible.trim() === '') continue;
      stderrTail.push(visible);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      yield { type: 'log', level: 'warn', stream: 'stderr', text: truncate(visible, MAX_LOG_TEXT_LENGTH) };
    }
  } finally {
    deadline.clear();
  }
  const exit = await child.exited;
  const aborted = ctx.signal.aborted;
  if (!aborted) yield* reader.flush();
  yield reader.done({ command: options.command, exit, aborted, stderrTail });
}
