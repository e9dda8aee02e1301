// @ts-check
// A complete executor pack: `minimal` runs bin/minimal-agent.js, the tiny agent CLI this package
// ships, and turns the JSON lines it prints into Forge events.
import { fileURLToPath } from 'node:url';
import { defineExecutor, definePack } from '@forge-core/sdk';

/** @typedef {import('@forge-core/sdk').ExecutorEvent} ExecutorEvent */
/** @typedef {{ type?: string, session?: string, text?: string, path?: string, created?: boolean, ok?: boolean, summary?: string, error?: string }} AgentLine */

// Resolved from this file, so the pack works wherever it is installed.
const AGENT = fileURLToPath(new URL('../bin/minimal-agent.js', import.meta.url));

/** @param {string} text @returns {AgentLine | undefined} */
function parse(text) {
  try {
    return JSON.parse(text) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs the agent in the worktree (the host pins its cwd, owns its environment and kills it on
 * stop) with the prompt on stdin, and yields its events, then exactly one done.
 * @param {import('@forge-core/sdk').RunContext} ctx
 * @param {string[]} args
 * @param {string} prompt
 * @returns {AsyncGenerator<ExecutorEvent>}
 */
async function* runAgent(ctx, args, prompt) {
  const child = ctx.spawn(process.execPath, [AGENT, ...args], { stdin: prompt });
  /** @type {AgentLine} */
  let end = {};
  for await (const { stream, text } of child.lines()) {
    // The agent ships with this pack, so its lines are trusted to carry the fields their type promises.
    const line = stream === 'stdout' ? parse(text) : undefined;
    if (line?.type === 'start') yield { type: 'session', sessionId: String(line.session) };
    else if (line?.type === 'say') yield { type: 'message', role: 'assistant', text: String(line.text) };
    else if (line?.type === 'edit') yield { type: 'file_change', path: String(line.path), change: line.created ? 'added' : 'modified' };
    else if (line?.type === 'end') end = line;
    else yield { type: 'log', level: stream === 'stderr' ? 'warn' : 'info', stream, text };
  }
  const exit = await child.exited;
  if (ctx.signal.aborted) yield { type: 'done', status: 'cancelled', exitCode: exit.code };
  else if (end.ok && exit.code === 0) yield { type: 'done', status: 'succeeded', summary: end.summary ?? 'Ran minimal-agent', exitCode: 0 };
  else yield { type: 'done', status: 'failed', error: end.error ?? `minimal-agent exited with code ${exit.code}`, exitCode: exit.code };
}

export const minimalExecutor = defineExecutor({
  id: 'minimal',
  displayName: 'Minimal agent',
  description: 'Writes and appends to files as the prompt asks ("write notes.txt Hello"). A starting point for your own executor.',
  capabilities: { resume: true, usageReporting: false },
  options: {
    dryRun: { type: 'boolean', default: false, description: 'Say what would change and change nothing.' },
  },
  // The agent is a script in this package, run by the Node that runs the host: always available.
  async detect() {
    return { available: true, version: process.versions.node };
  },
  run(input, ctx) {
    return runAgent(ctx, input.options.dryRun ? ['--dry-run'] : [], input.prompt);
  },
  resume(input, ctx) {
    return runAgent(ctx, ['--session', input.sessionId, ...(input.options.dryRun ? ['--dry-run'] : [])], input.prompt);
  },
});

export default definePack({ executors: [minimalExecutor] });
