import type { EventLog } from '../events/event-log.ts';
import { now } from '../store/clock.ts';
import type { Database } from '../store/database.ts';
import { newId } from '../store/ids.ts';
import { toProcess, type ProcessKind, type ProcessRecord, type ProcessRow, type ProcessStatus } from '../store/process-store.ts';
import { allowedFrom, type Transitions } from './transitions.ts';

/** A process runs, then ends once: succeeded, failed or cancelled. */
export const PROCESS_TRANSITIONS: Transitions<ProcessStatus> = {
  running: ['succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

export interface ProcessOutcome {
  status: Exclude<ProcessStatus, 'running'>;
  exitCode: number | null;
  error?: string | null;
}

/** The only writer of process rows' status, each change logged. */
export class ProcessLifecycle {
  constructor(
    private readonly db: Database,
    private readonly events: EventLog,
  ) {}

  start(attemptId: string, kind: ProcessKind): Promise<ProcessRecord> {
    const row: ProcessRow = {
      id: newId(),
      attempt_id: attemptId,
      kind,
      status: 'running',
      pid: null,
      exit_code: null,
      error: null,
      started_at: now(),
      finished_at: null,
      pid_start_time: null,
    };
    return this.events.transact((tx, emit) => {
      tx.run(this.db('processes').insert(row));
      const record = toProcess(row);
      emit('process.started', record.id, record);
      return record;
    });
  }

  /** Ends a running process; undefined when it had ended already. */
  finish(id: string, outcome: ProcessOutcome): Promise<ProcessRecord | undefined> {
    return this.events.transact((tx, emit) => {
      const ended = tx.run(
        this.db('processes')
          .where({ id })
          .whereIn('status', allowedFrom(PROCESS_TRANSITIONS, outcome.status))
          .update({ status: outcome.status, exit_code: outcome.exitCode, error: outcome.error ?? null, finished_at: now() }),
      );
      if (ended.changes === 0) return undefined;
      const record = toProcess(tx.first<ProcessRow>(this.db('processes').where({ id }))!);
      emit('process.finished', id, record);
      return record;
    });
  }
}
