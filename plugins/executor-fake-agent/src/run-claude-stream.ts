import type { ExecutorEvent, RunContext, SpawnOptions } from '@forge-core/sdk';
import { createClaudeStreamParser, MAX_LOG_TEXT_LENGTH } from './parse-claude-stream.ts';
import { truncate } from './text.ts';

/** How to start a CLI that prints Claude Code's stream-json on stdout. */
export interface ClaudeInvocation {
  command: string;
  args: readonly string[];
  spawnOptions: SpawnOptions;
}

/**
 * Runs the CLI in the worktree and yields its events as they arrive, then exactly one `done`.
 * Shared by run and resume, which differ only in their arguments.
 */
export async function* runClaudeStream(invocation: ClaudeInvocation, ctx: RunContext): AsyncGenerator<ExecutorEvent> {
  const parser = createClaudeStreamParser({ cwd: ctx.worktree.path });
  const child = ctx.spawn(invocation.command, invocation.args, invocation.spawnOptions);
  for await (const line of child.lines()) {
    if (line.stream === 'stdout') yield* parser.parseLine(line.text);
    else yield { type: 'log', level: 'warn', stream: 'stderr', text: truncate(line.text, MAX_LOG_TEXT_LENGTH) };
  }
  const exit = await child.exited;
  yield parser.finish(exit, ctx.signal.aborted);
}
