import type { Database } from './database.ts';
import { LIVE_ATTEMPT_STATES, FINISHED_ATTEMPT_STATES, type AttemptState } from './attempt-store.ts';
import type { TaskRow, TaskStatus } from './task-store.ts';
import type { Tx } from './transaction.ts';

/** `taskId` waits on `dependsOnTaskId`: it is blocked until that task is done. */
export interface DependencyEdge {
  taskId: string;
  dependsOnTaskId: string;
}

/** A task at the other end of an edge, as a dependency view shows it. */
export interface LinkedTask {
  id: string;
  projectId: string;
  title: string;
  status: TaskStatus;
  blockedReason: string | null;
}

/** How many tasks one waits on, and how many of them are not done yet. */
export interface DependencyCounts {
  total: number;
  waitingOn: number;
}

/** What a dependency's chain needs to know of a task: its row, whether it is worked on, how its last run ended. */
export interface ChainFacts {
  task: TaskRow;
  live: boolean;
  lastFinished: { id: string; state: AttemptState; errorCode: string | null } | null;
}

/**
 * countsFor's counts of the `tasks` row in scope, as SQL making its JSON: for a listing SQLite
 * serializes (task-store.ts listJson). Two index lookups a task, on the edges' primary key.
 */
export const DEPENDENCY_COUNTS_JSON =
  "json_object('total', (select count(*) from task_dependencies d where d.task_id = tasks.id), " +
  "'waitingOn', (select count(*) from task_dependencies d join tasks dep on dep.id = d.depends_on_task_id where d.task_id = tasks.id and dep.status <> 'done'))";

const linked = (row: TaskRow): LinkedTask => ({
  id: row.id,
  projectId: row.project_id,
  title: row.title,
  status: row.status,
  blockedReason: row.blocked_reason,
});

/** The edges between tasks, and the reads a dependency chain needs (spec/decisions/0032). */
export class TaskDependencyStore {
  constructor(private readonly db: Database) {}

  /** In the caller's transaction; false when the edge was there already. */
  insert(tx: Tx, edge: DependencyEdge): boolean {
    const row = { task_id: edge.taskId, depends_on_task_id: edge.dependsOnTaskId };
    return tx.run(this.db('task_dependencies').insert(row).onConflict(['task_id', 'depends_on_task_id']).ignore()).changes > 0;
  }

  /** In the caller's transaction; false when there was no such edge. */
  delete(tx: Tx, edge: DependencyEdge): boolean {
    return tx.run(this.db('task_dependencies').where({ task_id: edge.taskId, depends_on_task_id: edge.dependsOnTaskId }).delete()).changes > 0;
  }

  /** Every edge either end of which is the task (they go with it: the foreign keys cascade). */
  edgesTouching(tx: Tx, taskId: string): DependencyEdge[] {
    const rows = tx.all<{ task_id: string; depends_on_task_id: string }>(
      this.db('task_dependencies').where({ task_id: taskId }).orWhere({ depends_on_task_id: taskId }).orderBy(['task_id', 'depends_on_task_id']),
    );
    return rows.map((row) => ({ taskId: row.task_id, dependsOnTaskId: row.depends_on_task_id }));
  }

  /** The edges between a task of the project and a task of another: what deleting the project removes across its border. */
  edgesAcrossProject(tx: Tx, projectId: string): DependencyEdge[] {
    const rows = tx.all<{ task_id: string; depends_on_task_id: string }>(
      this.db('task_dependencies as d')
        .join('tasks as waiting', 'waiting.id', 'd.task_id')
        .join('tasks as awaited', 'awaited.id', 'd.depends_on_task_id')
        .whereRaw('(waiting.project_id = ?) <> (awaited.project_id = ?)', [projectId, projectId])
        .select('d.task_id', 'd.depends_on_task_id')
        .orderBy(['d.task_id', 'd.depends_on_task_id']),
    );
    return rows.map((row) => ({ taskId: row.task_id, dependsOnTaskId: row.depends_on_task_id }));
  }

  /** The rows of these task ids that exist. */
  tasksIn(tx: Tx, ids: readonly string[]): TaskRow[] {
    return ids.length === 0 ? [] : tx.all<TaskRow>(this.db('tasks').whereIn('id', ids as string[]));
  }

  /**
   * A chain of waits from `from` to `to` (each task waits on the next), as task ids from `from`
   * to `to`; null when `from` does not wait on `to`, even indirectly. One recursive query: every
   * task `from` reaches, with a task it was reached from (a DAG, so each is reached in finitely
   * many ways), then the path is read back from `to`.
   */
  waitChain(tx: Tx, from: string, to: string): string[] | null {
    const reached = tx.all<{ id: string; via: string | null }>(
      this.db.raw(
        `WITH RECURSIVE reach(id, via) AS (
           SELECT ?, NULL
           UNION
           SELECT d.depends_on_task_id, d.task_id FROM task_dependencies d JOIN reach ON d.task_id = reach.id
         )
         SELECT id, via FROM reach`,
        [from],
      ),
    );
    const via = new Map<string, string | null>();
    for (const row of reached) if (!via.has(row.id) || row.via === null) via.set(row.id, row.via);
    if (!via.has(to)) return null;
    const chain = [to];
    while (chain[0] !== from) chain.unshift(via.get(chain[0]!)!);
    return chain;
  }

  /** The tasks this one waits on directly. */
  dependenciesIn(tx: Tx, taskId: string): TaskRow[] {
    return tx.all<TaskRow>(
      this.db('tasks').join('task_dependencies as d', 'd.depends_on_task_id', 'tasks.id').where('d.task_id', taskId).select('tasks.*').orderBy('tasks.id'),
    );
  }

  /** The ids of these tasks and of every task that waits on one of them, directly or not. */
  withDownstream(tx: Tx, ids: readonly string[]): string[] {
    if (ids.length === 0) return [];
    const rows = tx.all<{ id: string }>(
      this.db.raw(
        `WITH RECURSIVE down(id) AS (
           SELECT id FROM tasks WHERE id IN (${ids.map(() => '?').join(', ')})
           UNION
           SELECT d.task_id FROM task_dependencies d JOIN down ON d.depends_on_task_id = down.id
         )
         SELECT id FROM down ORDER BY id`,
        [...ids],
      ),
    );
    return rows.map((row) => row.id);
  }

  /** The task's row, whether an attempt of it is live, and how its most recently finished attempt ended. */
  chainFacts(tx: Tx, taskId: string): ChainFacts | undefined {
    const task = tx.first<TaskRow>(this.db('tasks').where({ id: taskId }));
    if (!task) return undefined;
    const live = tx.first(this.db('attempts').where({ task_id: taskId }).whereIn('state', LIVE_ATTEMPT_STATES as AttemptState[]).select('id')) !== undefined;
    const last = tx.first<{ id: string; state: AttemptState; error_code: string | null }>(
      this.db('attempts')
        .where({ task_id: taskId })
        .whereIn('state', FINISHED_ATTEMPT_STATES as AttemptState[])
        .orderByRaw('coalesce(finished_at, updated_at) desc, id desc')
        .select('id', 'state', 'error_code'),
    );
    return { task, live, lastFinished: last ? { id: last.id, state: last.state, errorCode: last.error_code } : null };
  }

  /** Tasks that wait on something, or record a stop: everything a full recompute of the stored reasons looks at. */
  async inAnyChain(): Promise<string[]> {
    const rows: { id: string }[] = await this.db
      .select('task_id as id')
      .from('task_dependencies')
      .union((query) => query.select('id').from('tasks').whereNotNull('blocked_by_task_id'));
    return rows.map((row) => row.id).sort();
  }

  /** The tasks this one waits on, with their status. */
  async dependenciesOf(taskId: string): Promise<LinkedTask[]> {
    const rows: TaskRow[] = await this.db('tasks')
      .join('task_dependencies as d', 'd.depends_on_task_id', 'tasks.id')
      .where('d.task_id', taskId)
      .select('tasks.*')
      .orderBy('tasks.id');
    return rows.map(linked);
  }

  /** The tasks that wait on this one. */
  async dependentsOf(taskId: string): Promise<LinkedTask[]> {
    const rows: TaskRow[] = await this.db('tasks').join('task_dependencies as d', 'd.task_id', 'tasks.id').where('d.depends_on_task_id', taskId).select('tasks.*').orderBy('tasks.id');
    return rows.map(linked);
  }

  /** The tasks this one waits on that are not done yet. */
  async unfinishedDependenciesOf(taskId: string): Promise<LinkedTask[]> {
    return (await this.dependenciesOf(taskId)).filter((task) => task.status !== 'done');
  }

  /** For each of these tasks that waits on any, how many and how many are not done: one grouped query for a whole page. */
  async countsFor(taskIds: readonly string[]): Promise<Map<string, DependencyCounts>> {
    // Most servers have few edges or none: one probe of the table spares binding a page of ids.
    if (taskIds.length === 0 || !(await this.db('task_dependencies').first(this.db.raw('1')))) return new Map();
    const rows: { task_id: string; total: number | string; waiting_on: number | string | null }[] = await this.db('task_dependencies as d')
      .join('tasks as dep', 'dep.id', 'd.depends_on_task_id')
      .whereIn('d.task_id', taskIds as string[])
      .groupBy('d.task_id')
      .select('d.task_id')
      .count({ total: '*' })
      .sum({ waiting_on: this.db.raw("case when dep.status = 'done' then 0 else 1 end") });
    return new Map(rows.map((row) => [row.task_id, { total: Number(row.total), waitingOn: Number(row.waiting_on ?? 0) }]));
  }

  /**
   * autoStart tasks that may start now: in todo, no attempt ever, and everything they wait on
   * done; only these ids when given, only this project's when given.
   */
  async readyToStart(filter: { taskIds?: readonly string[]; projectId?: string } = {}): Promise<string[]> {
    const query = this.db('tasks as t')
      .where('t.auto_start', true)
      .where('t.status', 'todo')
      .whereNotExists((sub) => sub.select(this.db.raw('1')).from('attempts as a').whereRaw('a.task_id = t.id'))
      .whereNotExists((sub) =>
        sub
          .select(this.db.raw('1'))
          .from('task_dependencies as d')
          .join('tasks as dep', 'dep.id', 'd.depends_on_task_id')
          .whereRaw('d.task_id = t.id')
          .whereNot('dep.status', 'done'),
      )
      .select('t.id')
      .orderBy('t.id');
    if (filter.taskIds) query.whereIn('t.id', filter.taskIds as string[]);
    if (filter.projectId) query.where('t.project_id', filter.projectId);
    return (await query).map((row: { id: string }) => row.id);
  }

  /**
   * autoStart tasks of projects that merge by themselves, not done, whose last attempt succeeded
   * unmerged with none live, and with no stop recorded: what a crash between an attempt's success
   * and its merge leaves. Each with that attempt's id.
   */
  async unmergedSuccesses(): Promise<{ taskId: string; attemptId: string }[]> {
    const rows: { task_id: string; attempt_id: string; state: AttemptState; merge_commit: string | null }[] = await this.db('tasks as t')
      .join('projects as p', 'p.id', 't.project_id')
      .join('attempts as a', 'a.task_id', 't.id')
      .where('t.auto_start', true)
      .where('p.auto_merge', true)
      .whereIn('t.status', ['inprogress', 'inreview'])
      .whereNull('t.blocked_reason')
      .select('t.id as task_id', 'a.id as attempt_id', 'a.state', 'a.merge_commit')
      .orderByRaw('t.id, coalesce(a.finished_at, a.updated_at) desc, a.id desc');
    const latest = new Map<string, (typeof rows)[number]>();
    const live = new Set<string>();
    for (const row of rows) {
      if (LIVE_ATTEMPT_STATES.includes(row.state)) live.add(row.task_id);
      else if (!latest.has(row.task_id)) latest.set(row.task_id, row);
    }
    return [...latest.values()]
      .filter((row) => !live.has(row.task_id) && row.state === 'succeeded' && row.merge_commit === null)
      .map((row) => ({ taskId: row.task_id, attemptId: row.attempt_id }));
  }
}
