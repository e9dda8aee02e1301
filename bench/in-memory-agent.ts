import type { ExecutorEvent } from '@forge-core/sdk';
import { fakeAgent } from '../plugins/executor-fake-agent/src/index.ts';
import { inMemoryRunContext } from './in-memory-run-context.ts';

/**
 * The fake-agent executor's own event stream (its run(), generator and Claude stream parser,
 * exactly as an attempt drives them) over output lines already in memory: the process is
 * replaced by an array, so nothing of a pipe or a child is in what it costs.
 */
export function fakeAgentEvents(stdoutLines: readonly string[]): AsyncIterable<ExecutorEvent> {
  const options = { scenario: 'success', delayMs: 0, ignoreSigterm: false, model: undefined, rateLimitedRuns: undefined, rateLimitResetMs: undefined } as const;
  return fakeAgent.run({ attemptId: 'att_bench', prompt: 'replay transcript.jsonl', options }, inMemoryRunContext(stdoutLines));
}
