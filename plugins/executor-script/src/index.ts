import { defineExecutor, definePack, type ExecutorEvent, type RunContext } from '@forge-core/sdk';

const SUMMARY_LIMIT = 200;

/**
 * The `script` executor: a shell command stands in for the agent. The prompt arrives on stdin,
 * stdout and stderr become log events, and the exit code decides the
 * outcome. The last line the command prints is its summary, which becomes the commit message.
 */
export const scriptExecutor = defineExecutor({
  id: 'script',
  displayName: 'Shell script',
  description: 'Runs a shell command in the worktree as the agent; the prompt is on stdin.',
  capabilities: { resume: false, usageReporting: false },
  options: {
    command: { type: 'string', required: true, maxLength: 100_000, description: 'The command, run with /bin/sh -c in the worktree.' },
  },
  async detect(ctx) {
    const shell = await ctx.findExecutable('sh');
    return shell ? { available: true } : { available: false, reason: 'No `sh` on PATH; install a POSIX shell.' };
  },
  run(input, ctx) {
    return runCommand(input.options.command, input.prompt, ctx);
  },
});

async function* runCommand(command: string, prompt: string, ctx: RunContext): AsyncIterable<ExecutorEvent> {
  const child = ctx.spawn('/bin/sh', ['-c', command], { stdin: prompt });
  let lastLine = '';
  for await (const line of child.lines()) {
    if (line.stream === 'stdout' && line.text.trim() !== '') lastLine = line.text.trim();
    yield { type: 'log', level: line.stream === 'stdout' ? 'info' : 'warn', stream: line.stream, text: line.text };
  }
  const exit = await child.exited;
  const summary = (lastLine || `Ran: ${command}`).slice(0, SUMMARY_LIMIT);
  if (ctx.signal.aborted) {
    yield { type: 'done', status: 'cancelled', exitCode: exit.code, summary };
  } else if (exit.code === 0) {
    yield { type: 'done', status: 'succeeded', exitCode: 0, summary };
  } else {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    yield { type: 'done', status: 'failed', exitCode: exit.code, summary, error: `The script ${how}.` };
  }
}

export default definePack({ executors: [scriptExecutor] });
