import type { Database } from './database.ts';

export const PROCESS_KINDS = ['setup', 'agent', 'cleanup', 'dev'] as const;
export type ProcessKind = (typeof PROCESS_KINDS)[number];
export const PROCESS_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type ProcessStatus = (typeof PROCESS_STATUSES)[number];

export interface ProcessRecord {
  id: string;
  attemptId: string;
  kind: ProcessKind;
  status: ProcessStatus;
  pid: number | null;
  exitCode: number | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface ProcessRow {
  id: string;
  attempt_id: string;
  kind: ProcessKind;
  status: ProcessStatus;
  pid: number | null;
  exit_code: number | null;
  error: string | null;
  started_at: string;
  finished_at: string | null;
  pid_start_time: string | null;
}

/** A process still marked running, with what recovery needs to find its group again. */
export interface RunningProcess extends ProcessRecord {
  /** When its pid started (see runtime/process-table.ts), so a recycled pid is not mistaken for it. */
  pidStartTime: string | null;
}

export function toProcess(row: ProcessRow): ProcessRecord {
  return {
    id: row.id,
    attemptId: row.attempt_id,
    kind: row.kind,
    status: row.status,
    pid: row.pid,
    exitCode: row.exit_code,
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** Reads of processes and their pids; status goes through lifecycle/process-lifecycle.ts. */
export class ProcessStore {
  constructor(private readonly db: Database) {}

  async setPid(id: string, pid: number, pidStartTime: string | null): Promise<void> {
    await this.db('processes').where({ id }).update({ pid, pid_start_time: pidStartTime });
  }

  async get(id: string): Promise<ProcessRecord | undefined> {
    const row = await this.db<ProcessRow>('processes').where({ id }).first();
    return row && toProcess(row);
  }

  async listByAttempt(attemptId: string): Promise<ProcessRecord[]> {
    const rows: ProcessRow[] = await this.db('processes').where({ attempt_id: attemptId }).orderBy('id');
    return rows.map(toProcess);
  }

  async listRunning(attemptIds: readonly string[]): Promise<RunningProcess[]> {
    if (attemptIds.length === 0) return [];
    const rows: ProcessRow[] = await this.db('processes')
      .whereIn('attempt_id', attemptIds as string[])
      .where({ status: 'running' });
    return rows.map((row) => ({ ...toProcess(row), pidStartTime: row.pid_start_time }));
  }

  /**
   * Processes of `kind` still marked running whose attempt last ran on `nodeId`, or is queued
   * again and on no node: those this node may have started.
   */
  async listRunningOfKind(kind: ProcessKind, nodeId: string): Promise<RunningProcess[]> {
    const rows: ProcessRow[] = await this.db('processes')
      .join('attempts', 'attempts.id', 'processes.attempt_id')
      .where({ 'processes.kind': kind, 'processes.status': 'running' })
      .where((query) => query.where('attempts.node_id', nodeId).orWhereNull('attempts.node_id'))
      .select('processes.*');
    return rows.map((row) => ({ ...toProcess(row), pidStartTime: row.pid_start_time }));
  }

  /** The attempt's most recent process of `kind`, running or ended. */
  async latestOfKind(attemptId: string, kind: ProcessKind): Promise<ProcessRecord | undefined> {
    const row = await this.db<ProcessRow>('processes').where({ attempt_id: attemptId, kind }).orderBy('id', 'desc').first();
    return row && toProcess(row);
  }
}
