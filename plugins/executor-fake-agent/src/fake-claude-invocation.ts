import { fileURLToPath } from 'node:url';
import type { FakeAgentOptions } from './fake-agent-options.ts';
import type { ClaudeInvocation } from './run-claude-stream.ts';

export const FAKE_CLAUDE_SCRIPT = fileURLToPath(new URL('../bin/fake-claude.mjs', import.meta.url));

/**
 * The command line a real Claude Code executor would use, pointed at the fake CLI. The fake's
 * behaviour travels in the environment, so the argument list stays exactly Claude's.
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
      },
      stdin: prompt,
    },
  };
}
