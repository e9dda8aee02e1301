import type { EventLog } from '../events/event-log.ts';
import type { LiveLogs } from '../events/live-logs.ts';
import type { ApprovalRecord } from '../store/approval-store.ts';
import { FINISHED_ATTEMPT_STATES, type Attempt } from '../store/attempt-store.ts';
import type { ApprovalService } from './approval-service.ts';
import type { AttemptService } from './attempt-service.ts';

/** Why a wait ended: the attempt finished, its agent waits for an answer, or the time ran out. */
export type WaitOutcome = 'finished' | 'approval' | 'timeout';

export interface AttemptWait {
  attempt: Attempt;
  outcome: WaitOutcome;
  /** The attempt's approvals waiting for an answer (answer them to let its agent go on). */
  pendingApprovals: ApprovalRecord[];
}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Told, at most every PROGRESS_EVERY_MS, how many log entries and state changes have come so far. */
  onProgress?: ((progress: number, message: string) => void) | undefined;
}

// A busy agent writes hundreds of log entries a second; a waiting client needs a sign of life, not each.
const PROGRESS_EVERY_MS = 500;
const PENDING_PAGE = 100;

/**
 * Waits for an attempt to need someone: it finished, or its agent asked for an approval. Driven
 * by the event log and the live log (no polling), bounded by a timeout, and given up when the
 * caller aborts.
 */
export class AttemptWaiter {
  constructor(
    private readonly attempts: AttemptService,
    private readonly approvals: ApprovalService,
    private readonly events: EventLog,
    private readonly liveLogs: LiveLogs,
  ) {}

  async wait(attemptId: string, options: WaitOptions): Promise<AttemptWait> {
    let wake: (() => void) | null = null;
    let changed = false;
    const changes = () => {
      changed = true;
      wake?.();
    };
    let progress = 0;
    let state = '';
    let progressTimer: NodeJS.Timeout | null = null;
    const reportProgress = () => {
      progress++;
      progressTimer ??= setTimeout(() => {
        progressTimer = null;
        options.onProgress?.(progress, `attempt ${state}, ${progress} log entries and state changes so far`);
      }, PROGRESS_EVERY_MS);
    };
    // Watch before reading, so a change between the read and the watch is not missed.
    const stopEvents = this.events.subscribe((event) => {
      const ofAttempt =
        (event.type === 'attempt.updated' && event.subject === attemptId) ||
        (event.type === 'approval.requested' && (event.data as ApprovalRecord).attemptId === attemptId);
      if (!ofAttempt) return;
      reportProgress();
      changes();
    });
    const stopLogs = options.onProgress ? this.liveLogs.subscribe(attemptId, reportProgress) : () => undefined;
    const deadline = Date.now() + options.timeoutMs;
    try {
      for (;;) {
        changed = false;
        const attempt = await this.attempts.get(attemptId);
        state = attempt.state;
        const pendingApprovals = await this.pending(attemptId);
        if (FINISHED_ATTEMPT_STATES.includes(attempt.state)) return { attempt, outcome: 'finished', pendingApprovals };
        if (pendingApprovals.length > 0) return { attempt, outcome: 'approval', pendingApprovals };
        options.signal?.throwIfAborted();
        const left = deadline - Date.now();
        if (left <= 0) return { attempt, outcome: 'timeout', pendingApprovals };
        if (!changed) await this.until(left, options.signal, (resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      stopEvents();
      stopLogs();
      if (progressTimer) clearTimeout(progressTimer);
    }
  }

  private async pending(attemptId: string): Promise<ApprovalRecord[]> {
    return (await this.approvals.list({ state: 'pending', attemptId }, { limit: PENDING_PAGE })).items;
  }

  /** Resolves on the first of: a change, the time left, the caller's abort. */
  private until(ms: number, signal: AbortSignal | undefined, onChange: (resolve: () => void) => void): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      onChange(done);
    });
  }
}
