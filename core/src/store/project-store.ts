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
  /** Ready worktrees kept for its next attempts (decision 0042); null: the server's FORGE_WORKTREE_POOL_SIZE. */
  worktreePoolSize: number | null;
  /** The git provider serving the project when its remote alone does not say (a self-hosted host); null: found from the remote. */
  gitProvider: string | null;
  /** The provider's REST API root for this project (self-hosted); null: the configured or default one for the host. */
  gitProviderApiUrl: string | null;
  /** What a pull request's failed checks and review comments set off; null: nothing. */
  pullRequestReactions: PullRequestReactions | null;
  /** The executor its autoStart tasks start with (spec/decisions/0032); at most one of this and defaultProfile. */
  defaultExecutor: string | null;
  /** The executor profile its autoStart tasks start with; at most one of this and defaultExecutor. */
  defaultProfile: string | null;
  /** An autoStart task's attempt that succeeds is merged into its base at once, as POST /attempts/{id}/merge does. */
  autoMerge: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Off unless a project turns them on: each reaction is a follow-up to the agent that wrote the pull request. */
export interface PullRequestReactions {
  /** A failed check on the pull request's head commit becomes a follow-up, with what the host says about the failure. */
  ciFailure: boolean;
  /** New review comments become a follow-up, with their file and line. */
  reviewComments: boolean;
  /** Follow-ups per attempt at most; once spent, a person is told (a pull_request.updated event with budgetSpentAt). */
  maxFollowUps: number;
}

type ProjectFields =
  | 'remoteUrl'
  | 'setupScript'
  | 'cleanupScript'
  | 'devScript'
  | 'maxConcurrentAttempts'
  | 'worktreePoolSize'
  | 'gitProvider'
  | 'gitProviderApiUrl'
  | 'pullRequestReactions'
  | 'defaultExecutor'
  | 'defaultProfile'
  | 'autoMerge';

export type NewProject = Pick<Project, 'name' | 'repoPath' | 'defaultBranch'> & Partial<Pick<Project, ProjectFields>>;

export type ProjectChanges = Partial<Pick<Project, 'name' | 'defaultBranch' | ProjectFields>>;

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
  worktree_pool_size: number | null;
  git_provider: string | null;
  git_provider_api_url: string | null;
  pull_request_reactions: string | null;
  default_executor: string | null;
  default_profile: string | null;
  auto_merge: number | boolean;
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
  worktreePoolSize: 'worktree_pool_size',
  gitProvider: 'git_provider',
  gitProviderApiUrl: 'git_provider_api_url',
  pullRequestReactions: 'pull_request_reactions',
  defaultExecutor: 'default_executor',
  defaultProfile: 'default_profile',
  autoMerge: 'auto_merge',
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
    worktreePoolSize: row.worktree_pool_size,
    gitProvider: row.git_provider,
    gitProviderApiUrl: row.git_provider_api_url,
    pullRequestReactions: row.pull_request_reactions === null ? null : (JSON.parse(row.pull_request_reactions) as PullRequestReactions),
    defaultExecutor: row.default_executor,
    defaultProfile: row.default_profile,
    autoMerge: Boolean(row.auto_merge),
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
      worktree_pool_size: input.worktreePoolSize ?? null,
      git_provider: input.gitProvider ?? null,
      git_provider_api_url: input.gitProviderApiUrl ?? null,
      pull_request_reactions: input.pullRequestReactions ? JSON.stringify(input.pullRequestReactions) : null,
      default_executor: input.defaultExecutor ?? null,
      default_profile: input.defaultProfile ?? null,
      auto_merge: input.autoMerge ?? false,
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
    const stored = changes.pullRequestReactions === undefined ? changes : { ...changes, pullRequestReactions: changes.pullRequestReactions && JSON.stringify(changes.pullRequestReactions) };
    tx.run(this.db('projects').where({ id }).update(rowPatch(stored, columns)));
    const row = tx.first<ProjectRow>(this.db('projects').where({ id }));
    return row && toProject(row);
  }

  delete(tx: Tx, id: string): boolean {
    return tx.run(this.db('projects').where({ id }).delete()).changes > 0;
  }
}
