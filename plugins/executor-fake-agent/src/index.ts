import { runClaudeSession } from '@forge-core/executor-claude-code/stream';
import { defineExecutor, definePack } from '@forge-core/sdk';
import { fakeAgentOptionShape } from './fake-agent-options.ts';
import { fakeClaudeInvocation } from './fake-claude-invocation.ts';

export const fakeAgent = defineExecutor({
  id: 'fake-agent',
  displayName: 'Fake agent (Claude Code stream-json)',
  description: "Runs a fake `claude` CLI that speaks Claude Code's headless stream-json protocol and really edits the worktree. For tests and demos; needs no network.",
  capabilities: { resume: true, usageReporting: true },
  options: fakeAgentOptionShape,
  // The fake CLI is a script this package ships, run by the Node that runs the host.
  async detect() {
    return { available: true, version: process.versions.node };
  },
  run(input, ctx) {
    return runClaudeSession(fakeClaudeInvocation(input.prompt, input.options), ctx);
  },
  resume(input, ctx) {
    return runClaudeSession(fakeClaudeInvocation(input.prompt, input.options, input.sessionId), ctx);
  },
});

export default definePack({ executors: [fakeAgent] });
