import type { ExecutorEvent, ManagedProcess, OutputLine, RunContext } from '@forge-core/sdk';
import { fakeAgent } from '../plugins/executor-fake-agent/src/index.ts';

const ignore = () => undefined;

/**
 * The fake-agent executor's own event stream (its run(), generator and Claude stream parser,
 * exactly as an attempt drives them) over output lines already in memory: the process is
 * replaced by an array, so nothing of a pipe or a child is in what it costs.
 */
export function fakeAgentEvents(stdoutLines: readonly string[]): AsyncIterable<ExecutorEvent> {
  const agent: ManagedProcess = {
    pid: undefined,
    async *lines(): AsyncIterable<OutputLine> {
      for (const text of stdoutLines) yield { stream: 'stdout', text };
    },
    exited: Promise.resolve({ code: 0, signal: null }),
  };
  const ctx: RunContext = {
    worktree: { path: '/bench/worktree', branch: 'forge/bench' },
    signal: new AbortController().signal,
    log: { debug: ignore, info: ignore, warn: ignore, error: ignore },
    spawn: () => agent,
  };
  const options = { scenario: 'success', delayMs: 0, ignoreSigterm: false, model: undefined } as const;
  return fakeAgent.run({ attemptId: 'att_bench', prompt: 'replay transcript.jsonl', options }, ctx);
}
