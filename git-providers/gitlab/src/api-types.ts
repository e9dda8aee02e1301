/**
 * The parts of GitLab REST API v4 answers this pack reads (docs.gitlab.com/api/merge_requests,
 * /api/notes, /api/commits#list-the-statuses-of-a-commit). GitLab leaves many of them null, so
 * every field is read as possibly missing.
 */

/** `state` of a merge request; `locked` is the short state while a merge is being carried out. */
export type GitLabMergeRequestState = 'opened' | 'closed' | 'locked' | 'merged';

export interface GitLabMergeRequest {
  iid: number;
  title: string;
  state: GitLabMergeRequestState;
  source_branch: string;
  target_branch: string;
  web_url: string;
  draft?: boolean | null;
  /** The name `draft` had before GitLab 14.0; still sent, kept for older self-managed servers. */
  work_in_progress?: boolean | null;
  /** The head commit of the source branch. */
  sha?: string | null;
  source_project_id?: number | null;
  target_project_id?: number | null;
}

/** Statuses shared by pipelines and their jobs (commit statuses). */
export type GitLabCiStatus =
  | 'created'
  | 'waiting_for_resource'
  | 'preparing'
  | 'waiting_for_callback'
  | 'pending'
  | 'running'
  | 'scheduled'
  | 'success'
  | 'failed'
  | 'canceling'
  | 'canceled'
  | 'skipped'
  | 'manual';

export interface GitLabPipeline {
  id: number;
  sha?: string | null;
  status?: string | null;
  web_url?: string | null;
}

/** One CI job or external status on a commit. */
export interface GitLabCommitStatus {
  id: number;
  name?: string | null;
  status?: string | null;
  target_url?: string | null;
  description?: string | null;
  /** A failed job that may fail: GitLab shows its pipeline as passed with warnings. */
  allow_failure?: boolean | null;
  pipeline_id?: number | null;
}

/** Where a diff note sits; GitLab's position object (docs.gitlab.com/api/discussions). */
export interface GitLabNotePosition {
  new_path?: string | null;
  old_path?: string | null;
  new_line?: number | null;
  old_line?: number | null;
}

export interface GitLabNote {
  id: number;
  body?: string | null;
  author?: { username?: string | null } | null;
  created_at?: string | null;
  /** Notes GitLab writes itself ("added 1 commit", "marked as draft"); not review comments. */
  system?: boolean | null;
  position?: GitLabNotePosition | null;
}
