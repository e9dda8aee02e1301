import type { ForgeEvent } from '../events/event-log.ts';
import { FINISHED_ATTEMPT_STATES, type Attempt, type AttemptState } from '../store/attempt-store.ts';

/** Where the phases of attempts go as they are timed (the histograms of forge-metrics.ts). */
export interface AttemptPhaseSink {
  /** From queued (created, followed up, requeued) to claimed. */
  queueWait(executor: string, seconds: number): void;
  /** From claimed to its worktree ready (made, or found from an earlier run). */
  worktreeReady(executor: string, seconds: number): void;
  /** From claimed to finished, for a run that was claimed. */
  finished(state: AttemptState, executor: string, seconds: number): void;
}

interface LiveAttempt {
  state: AttemptState;
  /** When it was last queued, as far as this process knows. */
  queuedAt: string | null;
  /** Whether the current run's worktree has been timed. */
  worktreeTimed: boolean;
}

/**
 * Times attempts' phases from their events (attempt.created and attempt.updated carry the whole
 * attempt with its phase times). An event says where an attempt is, not where it came from, so
 * the attempts that are live (queued, preparing, running) are held here with their last state:
 * a phase is timed when a move into it is seen, once, however many other updates (worktree,
 * session, merge commit) an attempt goes through.
 */
export class AttemptTimings {
  private readonly live = new Map<string, LiveAttempt>();

  constructor(private readonly sink: AttemptPhaseSink) {}

  /**
   * The attempts that were live when this process started (listed once, at start), so a run
   * that began before a restart is timed when it ends. An attempt an event already told about is
   * left as the event said: the list may be older than the event.
   */
  adopt(attempts: readonly Attempt[]): void {
    for (const attempt of attempts) {
      if (this.live.has(attempt.id) || FINISHED_ATTEMPT_STATES.includes(attempt.state)) continue;
      this.live.set(attempt.id, {
        state: attempt.state,
        // The queue orders by updated_at for the same reason: it is when a queued attempt was queued.
        queuedAt: attempt.state === 'queued' ? attempt.updatedAt : null,
        worktreeTimed: attempt.worktreeReadyAt !== null,
      });
    }
  }

  observe(event: ForgeEvent): void {
    if (event.type !== 'attempt.created' && event.type !== 'attempt.updated') return;
    const attempt = event.data as Attempt;
    const before = this.live.get(attempt.id);
    const finished = FINISHED_ATTEMPT_STATES.includes(attempt.state);
    // Finished before this process knew it live: its run was timed, if at all, by the process that saw it.
    if (finished && !before) return;
    const executor = attempt.executor.id;
    const now: LiveAttempt = before ?? { state: attempt.state, queuedAt: null, worktreeTimed: false };
    if (attempt.state === 'queued' && before?.state !== 'queued') now.queuedAt = attempt.updatedAt;
    if (attempt.state === 'preparing' && before?.state === 'queued') {
      if (before.queuedAt && attempt.startedAt) this.sink.queueWait(executor, secondsBetween(before.queuedAt, attempt.startedAt));
      now.worktreeTimed = false;
    }
    if (!now.worktreeTimed && attempt.startedAt && attempt.worktreeReadyAt) {
      this.sink.worktreeReady(executor, secondsBetween(attempt.startedAt, attempt.worktreeReadyAt));
      now.worktreeTimed = true;
    }
    if (finished) {
      this.live.delete(attempt.id);
      if (attempt.startedAt && attempt.finishedAt) this.sink.finished(attempt.state, executor, secondsBetween(attempt.startedAt, attempt.finishedAt));
      return;
    }
    now.state = attempt.state;
    this.live.set(attempt.id, now);
  }
}

function secondsBetween(from: string, to: string): number {
  return Math.max(0, Date.parse(to) - Date.parse(from)) / 1000;
}
