import type { Database } from './database.ts';
import { now } from './clock.ts';
import { newId } from './ids.ts';
import { fetchPage, type Page, type PageRequest } from './page.ts';
import { rowPatch } from './row-patch.ts';
import type { Tx } from './transaction.ts';

export interface Project {
  id: string;
  name: string;
  repoPath: string;
  remoteUrl: string | null;
  defaultBranch: string;
  setupScript: string | null;
  cleanupScript: string | null;
  devScript: string | null;
  maxConcurrentAttempts: number | null;
  createdAt: string;
  updatedAt: string;
}

export type NewProject = Pick<Project, 'name' | 'repoPath' | 'defaultBranch'> &
  Partial<Pick<Project, 'remoteUrl' | 'setupScript' | 'cleanupScript' | 'devScript' | 'maxConcurrentAttempts'>>;

export type ProjectChanges = Partial<
  Pick<Project, 'name' | 'defaultBranch' | 'remoteUrl' | 'setupScript' | 'cleanupScript' | 'devScript' | 'maxConcurrentAttempts'>
>;

interface ProjectRow {
  id: string;
  name: string;
  repo_path: string;
  remote_url: string | null;
  default_branch: string;
  setup_script: string | null;
  cleanup_script: string | null;
  dev_script: string | null;
  max_concurrent_attempts: number | null;
  created_at: string;
  updated_at: string;
}

const columns: Record<keyof ProjectChanges, keyof ProjectRow> = {
  name: 'name',
  defaultBranch: 'default_branch',
  remoteUrl: 'remote_url',
  setupScript: 'setup_script',
  cleanupScript: 'cleanup_script',
  devScript: 'dev_script',
  maxConcurrentAttempts: 'max_concurrent_attempts',
};

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    repoPath: row.repo_path,
    remoteUrl: row.remote_url,
    defaultBranch: row.default_branch,
    setupScript: row.setup_script,
    cleanupScript: row.cleanup_script,
    devScript: row.dev_script,
    maxConcurrentAttempts: row.max_concurrent_attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class ProjectStore {
  constructor(private readonly db: Database) {}

  /** Inserts inside the caller's transaction (the project's event goes in the same one). */
  insert(tx: Tx, input: NewProject): Project {
    const timestamp = now();
    const row: ProjectRow = {
      id: newId(),
      name: input.name,
      repo_path: input.repoPath,
      remote_url: input.remoteUrl ?? null,
      default_branch: input.defaultBranch,
      setup_script: input.setupScript ?? null,
      cleanup_script: input.cleanupScript ?? null,
      dev_script: input.devScript ?? null,
      max_concurrent_attempts: input.maxConcurrentAttempts ?? null,
      created_at: timestamp,
      updated_at: timestamp,
    };
    tx.run(this.db('projects').insert(row));
    return toProject(row);
  }

  async get(id: string): Promise<Project | undefined> {
    const row = await this.db<ProjectRow>('projects').where({ id }).first();
    return row && toProject(row);
  }

  async findByRepoPath(repoPath: string): Promise<Project | undefined> {
    const row = await this.db<ProjectRow>('projects').where({ repo_path: repoPath }).first();
    return row && toProject(row);
  }

  list(page: PageRequest): Promise<Page<Project>> {
    return fetchPage(this.db('projects').select('*'), page, toProject);
  }

  async all(): Promise<Project[]> {
    const rows: ProjectRow[] = await this.db('projects').select('*').orderBy('id');
    return rows.map(toProject);
  }

  update(tx: Tx, id: string, changes: ProjectChanges): Project | undefined {
    tx.run(this.db('projects').where({ id }).update(rowPatch(changes, columns)));
    const row = tx.first<ProjectRow>(this.db('projects').where({ id }));
    return row && toProject(row);
  }

  delete(tx: Tx, id: string): boolean {
    return tx.run(this.db('projects').where({ id }).delete()).changes > 0;
  }
}
