import type { ManagedProcess, OutputLine, RunContext } from '@forge-core/sdk';

const ignore = () => undefined;

/**
 * A run context whose one process is a recording already in memory: every stdout line at once,
 * whatever the executor writes ignored, exit 0. For counting the events an executor makes of a
 * recording that asks nothing (no approvals), with no pipe, child or server in the way.
 */
export function inMemoryRunContext(stdoutLines: readonly string[]): RunContext {
  const agent: ManagedProcess = {
    pid: undefined,
    async *lines(): AsyncIterable<OutputLine> {
      for (const text of stdoutLines) yield { stream: 'stdout', text };
    },
    exited: Promise.resolve({ code: 0, signal: null }),
    writeLine: () => true,
    closeStdin: ignore,
  };
  return {
    worktree: { path: '/bench/worktree', branch: 'forge/bench' },
    signal: new AbortController().signal,
    log: { debug: ignore, info: ignore, warn: ignore, error: ignore },
    spawn: () => agent,
    requestApproval: () => Promise.reject(new Error('the recording asked for an approval; an in-memory run cannot answer one')),
    mcpServers: [],
    scratchDir: '/bench/scratch',
    config: {},
  };
}

/** How many events an event stream yields, `done` included, and the status of its `done`. */
export async function countEvents(events: AsyncIterable<{ type: string; status?: string }>): Promise<{ count: number; doneStatus: string | undefined }> {
  let count = 0;
  let doneStatus: string | undefined;
  for await (const event of events) {
    count++;
    if (event.type === 'done') doneStatus = event.status;
  }
  return { count, doneStatus };
}
