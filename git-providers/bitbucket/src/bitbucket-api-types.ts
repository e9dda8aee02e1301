/**
 * The parts of Bitbucket Cloud's REST API 2.0 objects this pack reads, as its OpenAPI description
 * names them (components/schemas: pullrequest, pullrequest_endpoint, commitstatus, comment). Every
 * field is optional there, so every read checks.
 */

export type BitbucketPullRequestState = 'OPEN' | 'MERGED' | 'DECLINED' | 'SUPERSEDED';

export interface BitbucketLink {
  href?: string;
}

export interface BitbucketEndpoint {
  branch?: { name?: string };
  /** Bitbucket gives the short (12-character) hash here. */
  commit?: { hash?: string };
  repository?: { full_name?: string };
}

export interface BitbucketPullRequest {
  id?: number;
  title?: string;
  state?: BitbucketPullRequestState;
  /** Sent by Bitbucket since draft pull requests (2024); absent from the 2.0 description this pack is tested against. */
  draft?: boolean;
  source?: BitbucketEndpoint;
  destination?: BitbucketEndpoint;
  links?: { html?: BitbucketLink };
}

export type BitbucketCommitStatusState = 'INPROGRESS' | 'SUCCESSFUL' | 'FAILED' | 'STOPPED';

export interface BitbucketCommitStatus {
  key?: string;
  name?: string;
  state?: BitbucketCommitStatusState;
  url?: string;
  description?: string;
  links?: { commit?: BitbucketLink };
}

export interface BitbucketAccount {
  display_name?: string;
  nickname?: string;
  username?: string;
  uuid?: string;
}

export interface BitbucketComment {
  id?: number;
  created_on?: string;
  deleted?: boolean;
  content?: { raw?: string };
  /** On a diff: `to` is the line in the new file, `from` in the old one (only when the line was removed). */
  inline?: { path?: string; to?: number | null; from?: number | null };
  user?: BitbucketAccount;
  links?: { html?: BitbucketLink };
}
