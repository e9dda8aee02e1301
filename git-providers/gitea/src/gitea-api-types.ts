/**
 * The parts of Gitea's REST API v1 answers this provider reads (Gitea 1.20 `swagger.v1.json`;
 * Forgejo serves the same shapes). Every field is optional as the spec declares it: a read
 * treats a missing field as absent, never as a crash.
 */

export interface GiteaUser {
  login?: string;
}

/** `PRBranchInfo`: `label` is the branch name; `ref` is too while the branch exists, else `refs/pull/N/head`. */
export interface GiteaBranchInfo {
  label?: string;
  ref?: string;
  sha?: string;
  repo_id?: number;
}

export interface GiteaPullRequest {
  number?: number;
  html_url?: string;
  state?: 'open' | 'closed';
  merged?: boolean;
  /** Sent by releases newer than 1.20's spec; the server computes it from the "work in progress" title prefix. */
  draft?: boolean;
  title?: string;
  head?: GiteaBranchInfo | null;
  base?: GiteaBranchInfo | null;
}

/** The five states of Gitea 1.20; later releases add `skipped`. */
export type GiteaCommitStatusState = 'pending' | 'success' | 'error' | 'failure' | 'warning' | 'skipped';

export interface GiteaCommitStatus {
  context?: string;
  status?: GiteaCommitStatusState;
  target_url?: string;
  description?: string;
}

export interface GiteaCombinedStatus {
  state?: GiteaCommitStatusState | '';
  sha?: string;
  /** Null (or absent) when the commit has no status. */
  statuses?: GiteaCommitStatus[] | null;
  total_count?: number;
}

export interface GiteaPullReview {
  id?: number;
  body?: string;
  user?: GiteaUser | null;
  state?: string;
  submitted_at?: string;
  html_url?: string;
  comments_count?: number;
}

export interface GiteaPullReviewComment {
  id?: number;
  body?: string;
  user?: GiteaUser | null;
  path?: string;
  /** The line on the new side of the diff; 0 when the comment is on a removed line. */
  position?: number;
  /** The line on the old side, for a comment on a removed line. */
  original_position?: number;
  created_at?: string;
  html_url?: string;
}

export interface GiteaIssueComment {
  id?: number;
  body?: string;
  user?: GiteaUser | null;
  /** Who wrote it on the host a repository was migrated from. */
  original_author?: string;
  created_at?: string;
  html_url?: string;
}
