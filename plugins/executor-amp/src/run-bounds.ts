/**
 * Amp does not always fail when it cannot work: without credentials it waits at a login prompt
 * (caught by its first line, see amp-login-prompt.ts), and a CLI that retries an unreachable
 * model in silence would never end. These bounds end such a run with a failed `done`, without
 * waiting for the process, which the host then stops.
 */
import type { DoneEvent, ExecutorEvent } from '@forge-core/sdk';

export interface RunBounds {
  /** How long the whole run may take; 0 for no limit. */
  turnTimeoutMs: number;
  /** How long the run may go without an event; 0 for no limit. */
  idleTimeoutMs: number;
}

const EXPIRED = Symbol('expired');

/** A duration for a person: "90 s", "30 min", "2 h". */
export function describeDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** The next step of the stream, or EXPIRED when `waitMs` passes first. */
async function nextWithin<T>(pending: Promise<IteratorResult<T>>, waitMs: number): Promise<IteratorResult<T> | typeof EXPIRED> {
  if (waitMs === Infinity) return pending;
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<typeof EXPIRED>((resolve) => (timer = setTimeout(() => resolve(EXPIRED), Math.max(0, waitMs))));
  try {
    return await Promise.race([pending, expiry]);
  } finally {
    clearTimeout(timer);
  }
}

function boundDone(agent: string, which: 'turn' | 'idle', bounds: RunBounds): DoneEvent {
  const error =
    which === 'turn'
      ? `${agent} did not finish within ${describeDuration(bounds.turnTimeoutMs)} (the option turnTimeoutMs), so the run was stopped.`
      : `${agent} printed nothing for ${describeDuration(bounds.idleTimeoutMs)} (the option idleTimeoutMs), so the run was stopped; it may be waiting for a server or network that does not answer.`;
  return { type: 'done', status: 'failed', error };
}

/**
 * The events of a run, ended by a failed `done` of its own when the run passes either bound. A
 * stopped run is never timed out: its stream ends with the `cancelled` done it owes.
 */
export async function* withinBounds(events: AsyncIterable<ExecutorEvent>, bounds: RunBounds, signal: AbortSignal, agent: string): AsyncGenerator<ExecutorEvent> {
  const iterator = events[Symbol.asyncIterator]();
  const turnEnds = bounds.turnTimeoutMs > 0 ? Date.now() + bounds.turnTimeoutMs : Infinity;
  let ended = false;
  try {
    for (;;) {
      const idleEnds = bounds.idleTimeoutMs > 0 ? Date.now() + bounds.idleTimeoutMs : Infinity;
      const pending = iterator.next();
      let step = await nextWithin(pending, Math.min(turnEnds, idleEnds) - Date.now());
      // Stopped meanwhile: the stream ends by itself, with the cancelled done it owes.
      if (step === EXPIRED && signal.aborted) step = await pending;
      if (step === EXPIRED) {
        pending.catch(() => undefined);
        yield boundDone(agent, Date.now() >= turnEnds ? 'turn' : 'idle', bounds);
        return;
      }
      if (step.done) {
        ended = true;
        return;
      }
      yield step.value;
    }
  } finally {
    // The stream may be waiting for a process that never ends; its end is not awaited.
    if (!ended) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
