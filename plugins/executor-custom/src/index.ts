import { defineExecutor, definePack } from '@forge-core/sdk';
import { customConfigShape, customOptionShape } from './custom-options.ts';
import { runCustomAgent } from './run-custom-agent.ts';

/**
 * The `custom` executor: any agent CLI, described by options. An executor profile of it is how a
 * user adds Aider, Goose or an in-house agent without writing a pack. Its capabilities are what
 * a profile can make use of: resume through resumeArgs (a profile without them starts afresh on
 * a follow-up), usage from jsonl or Claude stream-json output, MCP servers through {mcpConfig}.
 * It never asks for approvals: the CLI runs with whatever permission flags its arguments give.
 */
export const customExecutor = defineExecutor({
  id: 'custom',
  displayName: 'Custom agent CLI',
  description:
    'Runs any agent CLI from a command and arguments: the prompt on stdin or as an argument; plain text, JSON lines read through a field mapping, or Claude stream-json output; an optional resume template.',
  capabilities: { resume: true, usageReporting: true, approvals: false, mcpServers: true },
  options: customOptionShape,
  config: customConfigShape,
  // The command is chosen per profile and attempt, so there is nothing to look for on this server.
  async detect() {
    return { available: true };
  },
  run(input, ctx) {
    return runCustomAgent({ prompt: input.prompt, options: input.options }, ctx);
  },
  resume(input, ctx) {
    return runCustomAgent({ prompt: input.prompt, options: input.options, sessionId: input.sessionId }, ctx);
  },
});

export default definePack({ executors: [customExecutor] });
