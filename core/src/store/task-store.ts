import type { Database } from './database.ts';
import { fetchJsonPage, type JsonPage, type PageRequest } from './page.ts';
import { DEPENDENCY_COUNTS_JSON } from './task-dependency-store.ts';

export const TASK_STATUSES = ['todo', 'inprogress', 'inreview', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface Task {
  id: string;
  projectId: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: number;
  parentTaskId: string | null;
  autoStart: boolean;
  /**
   * Why its dependency chain stopped, when it did: a dependency failed or was cancelled, or the task
   * itself could not be started or merged without a person (spec/decisions/0032). Null otherwise.
   */
  blockedReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export type NewTask = Pick<Task, 'projectId' | 'title'> &
  Partial<Pick<Task, 'description' | 'status' | 'priority' | 'parentTaskId' | 'autoStart'>>;

export type TaskChanges = Partial<Pick<Task, 'title' | 'description' | 'status' | 'priority' | 'parentTaskId' | 'autoStart'>>;

export interface TaskFilter {
  projectId?: string | undefined;
  status?: TaskStatus[] | undefined;
}

export interface TaskRow {
  id: string;
  project_id: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: number;
  parent_task_id: string | null;
  auto_start: number | boolean;
  blocked_reason: string | null;
  /** The task whose stop `blocked_reason` tells; the task's own id for its own stop. */
  blocked_by_task_id: string | null;
  created_at: string;
  updated_at: string;
}

/** The column of each field a change may set. */
export const TASK_COLUMNS: Record<keyof TaskChanges, keyof TaskRow> = {
  title: 'title',
  description: 'description',
  status: 'status',
  priority: 'priority',
  parentTaskId: 'parent_task_id',
  autoStart: 'auto_start',
};

export function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    projectId: row.project_id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    parentTaskId: row.parent_task_id,
    autoStart: Boolean(row.auto_start),
    blockedReason: row.blocked_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Each field of toTask's task as SQL over a `tasks` row, in toTask's order: SQLite's json_object
 * of them is JSON.stringify(toTask(row)) byte for byte (core/test/task-listing.test.ts checks
 * it). Typed by Task's keys, so a field added to Task and not here fails to compile.
 */
const TASK_JSON_FIELDS: Record<keyof Task, string> = {
  id: 'tasks.id',
  projectId: 'tasks.project_id',
  title: 'tasks.title',
  description: 'tasks.description',
  status: 'tasks.status',
  priority: 'tasks.priority',
  parentTaskId: 'tasks.parent_task_id',
  autoStart: "iif(tasks.auto_start, json('true'), json('false'))",
  blockedReason: 'tasks.blocked_reason',
  createdAt: 'tasks.created_at',
  updatedAt: 'tasks.updated_at',
};
const jsonObjectOf = (fields: Record<string, string>) => `json_object(${Object.entries(fields).map(([name, sql]) => `'${name}', ${sql}`).join(', ')})`;
const TASK_JSON = jsonObjectOf(TASK_JSON_FIELDS);
const TASK_JSON_WITH_DEPENDENCIES = jsonObjectOf({ ...TASK_JSON_FIELDS, dependencies: DEPENDENCY_COUNTS_JSON });

/** Reads of tasks; every write goes through the task lifecycle (lifecycle/task-lifecycle.ts). */
export class TaskStore {
  constructor(private readonly db: Database) {}

  async get(id: string): Promise<Task | undefined> {
    const row = await this.db<TaskRow>('tasks').where({ id }).first();
    return row && toTask(row);
  }

  /** How many of the task's direct subtasks are in each status (every status present, 0 when none). */
  async subtaskCounts(id: string): Promise<Record<TaskStatus, number>> {
    const rows: { status: TaskStatus; count: number | string }[] = await this.db('tasks').where({ parent_task_id: id }).groupBy('status').select('status').count({ count: '*' });
    const counts = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>;
    for (const row of rows) counts[row.status] = Number(row.count);
    return counts;
  }

  /** A task with the repository facts of its project, in one query (the attempt-start path). */
  async getWithRepository(id: string): Promise<{ task: Task; repoPath: string; defaultBranch: string } | undefined> {
    const row: (TaskRow & { repo_path: string; default_branch: string }) | undefined = await this.db('tasks')
      .join('projects', 'projects.id', 'tasks.project_id')
      .where('tasks.id', id)
      .select('tasks.*', 'projects.repo_path', 'projects.default_branch')
      .first();
    return row && { task: toTask(row), repoPath: row.repo_path, defaultBranch: row.default_branch };
  }

  /**
   * A page of tasks, oldest first, serialized by SQLite (a page is up to 1,000 tasks: as objects
   * it cost several times more, decision 0043); each with its dependency counts when asked.
   */
  listJson(filter: TaskFilter, page: PageRequest, options: { dependencyCounts: boolean }): Promise<JsonPage> {
    const query = this.db('tasks');
    if (filter.projectId) query.where('tasks.project_id', filter.projectId);
    if (filter.status?.length) query.whereIn('tasks.status', filter.status);
    return fetchJsonPage(this.db, query, page, options.dependencyCounts ? TASK_JSON_WITH_DEPENDENCIES : TASK_JSON, 'tasks.id');
  }

  async listByProject(projectId: string): Promise<Task[]> {
    const rows: TaskRow[] = await this.db('tasks').where({ project_id: projectId }).orderBy('id');
    return rows.map(toTask);
  }
}
