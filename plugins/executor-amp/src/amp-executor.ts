import { defineExecutor } from '@forge-core/sdk';
import { ampConfigShape, ampOptionShape } from './amp-options.ts';
import { detectAmp } from './detect-amp.ts';
import { runAmp } from './run-amp.ts';

export const amp = defineExecutor({
  id: 'amp',
  displayName: 'Amp',
  description:
    "Runs Sourcegraph's Amp CLI in execute mode (amp --execute --stream-json, the prompt on stdin): follow-ups continue its thread, the run's MCP servers are passed per run. Amp asks nobody in execute mode, so there are no approvals: tools run under --dangerously-allow-all (the default) or Amp's own permission rules.",
  capabilities: { resume: true, usageReporting: true, approvals: false, mcpServers: true },
  options: ampOptionShape,
  config: ampConfigShape,
  detect: detectAmp,
  run(input, ctx) {
    return runAmp(input.prompt, input.options, ctx);
  },
  resume(input, ctx) {
    return runAmp(input.prompt, input.options, ctx, input.sessionId);
  },
});
