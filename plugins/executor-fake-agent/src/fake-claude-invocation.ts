import { fileURLToPath } from 'node:url';
import type { ClaudeInvocation } from '@forge-core/executor-claude-code/stream';
import type { FakeAgentOptions } from './fake-agent-options.ts';

export const FAKE_CLAUDE_SCRIPT = fileURLToPath(new URL('../bin/fake-claude.mjs', import.meta.url));

/**
 * Claude Code's one-shot command line (the prompt as plain text on stdin, closed at once, so
 * nothing asks for approvals), pointed at the fake CLI. The fake's behaviour travels in the
 * environment, so the argument list stays exactly Claude's.
 */
export function fakeClaudeInvocation(prompt: string, options: FakeAgentOptions, resumeSessionId?: string): ClaudeInvocation {
  const args = [FAKE_CLAUDE_SCRIPT, '-p', '--verbose', '--output-format', 'stream-json'];
  if (options.model !== undefined && options.model !== '') args.push('--model', options.model);
  if (resumeSessionId !== undefined) args.push('--resume', resumeSessionId);
  return {
    command: process.execPath,
    args,
    spawnOptions: {
      env: {
        FAKE_AGENT_SCENARIO: options.scenario,
        FAKE_AGENT_DELAY_MS: String(options.delayMs),
        FAKE_AGENT_IGNORE_SIGTERM: options.ignoreSigterm ? '1' : '0',
        ...(options.scenario === 'rate-limit' && {
          FAKE_AGENT_RATE_LIMITED_RUNS: String(options.rateLimitedRuns ?? 1),
          FAKE_AGENT_RATE_LIMIT_RESET_MS: String(options.rateLimitResetMs ?? 2000),
        }),
      },
      stdin: prompt,
    },
  };
}
