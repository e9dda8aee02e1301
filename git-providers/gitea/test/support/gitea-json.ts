/**
 * The fake's records, and the JSON Gitea 1.20 sends for them (`services/convert`): the fields the
 * spec describes, with Gitea's nulls for what is unset. The fake host checks every one of these
 * against the spec's response schemas.
 */

export type FakePullState = 'open' | 'closed' | 'merged';

export interface FakePull {
  number: number;
  /** As stored on the host, a draft's "WIP: " prefix included. */
  title: string;
  body: string;
  head: string;
  base: string;
  state: FakePullState;
  headSha: string;
  createdAt: string;
  updatedAt: string;
}

export interface FakeStatus {
  id: number;
  sha: string;
  context: string;
  state: 'pending' | 'success' | 'failure';
  description: string;
  targetUrl: string;
  createdAt: string;
}

export interface FakeInlineComment {
  id: number;
  author: string;
  body: string;
  path: string;
  line: number;
  createdAt: string;
}

export interface FakeReview {
  id: number;
  pull: number;
  author: string;
  commitId: string;
  submittedAt: string;
  comments: FakeInlineComment[];
}

export interface FakeIssueComment {
  id: number;
  pull: number;
  author: string;
  body: string;
  createdAt: string;
}

/** Where the fake's repository lives: its web root and API root, and its id in the host. */
export interface FakeRepository {
  owner: string;
  repo: string;
  id: number;
  /** The web page of the repository: "http://127.0.0.1:PORT/acme/widgets". */
  web: string;
  /** Its API root: "http://127.0.0.1:PORT/api/v1/repos/acme/widgets". */
  api: string;
}

/** Gitea's own id for a user is not something a provider reads; a stable number per login will do. */
const userId = (login: string) => [...login].reduce((sum, char) => (sum * 31 + char.charCodeAt(0)) % 100_000, 7);

export const userJson = (login: string) => ({
  id: userId(login),
  login,
  login_name: '',
  full_name: '',
  email: `${login}@noreply.localhost`,
  avatar_url: `https://secure.gravatar.com/avatar/${userId(login)}?d=identicon`,
  language: '',
  is_admin: false,
  restricted: false,
  active: true,
  prohibit_login: false,
  visibility: 'public',
  username: login,
});

export function pullJson(pull: FakePull, repository: FakeRepository, author: string) {
  const page = `${repository.web}/pulls/${pull.number}`;
  const closed = pull.state !== 'open';
  const merged = pull.state === 'merged';
  return {
    id: 1000 + pull.number,
    url: page,
    number: pull.number,
    user: userJson(author),
    title: pull.title,
    body: pull.body,
    labels: [],
    milestone: null,
    assignee: null,
    assignees: null,
    state: closed ? 'closed' : 'open',
    is_locked: false,
    comments: 0,
    html_url: page,
    diff_url: `${page}.diff`,
    patch_url: `${page}.patch`,
    mergeable: !closed,
    merged,
    merged_at: merged ? pull.updatedAt : null,
    merge_commit_sha: merged ? pull.headSha.split('').reverse().join('') : null,
    merged_by: merged ? userJson(author) : null,
    allow_maintainer_edit: false,
    base: { label: pull.base, ref: pull.base, sha: 'b'.repeat(40), repo_id: repository.id },
    head: { label: pull.head, ref: pull.head, sha: pull.headSha, repo_id: repository.id },
    merge_base: 'b'.repeat(40),
    due_date: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: closed ? pull.updatedAt : null,
  };
}

export function statusJson(status: FakeStatus, repository: FakeRepository, creator: string) {
  return {
    id: status.id,
    status: status.state,
    target_url: status.targetUrl,
    description: status.description,
    url: `${repository.api}/statuses/${status.sha}`,
    context: status.context,
    creator: userJson(creator),
    created_at: status.createdAt,
    updated_at: status.createdAt,
  };
}

export function reviewJson(review: FakeReview, repository: FakeRepository) {
  return {
    id: review.id,
    user: userJson(review.author),
    team: null,
    state: 'COMMENT',
    body: '',
    commit_id: review.commitId,
    stale: false,
    official: false,
    dismissed: false,
    comments_count: review.comments.length,
    submitted_at: review.submittedAt,
    updated_at: review.submittedAt,
    html_url: `${repository.web}/pulls/${review.pull}#issuecomment-${review.comments[0]?.id ?? review.id}`,
    pull_request_url: `${repository.web}/pulls/${review.pull}`,
  };
}

export function inlineCommentJson(comment: FakeInlineComment, review: FakeReview, repository: FakeRepository) {
  return {
    id: comment.id,
    body: comment.body,
    user: userJson(comment.author),
    resolver: null,
    pull_request_review_id: review.id,
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    path: comment.path,
    commit_id: review.commitId,
    original_commit_id: review.commitId,
    diff_hunk: `@@ -${comment.line},1 +${comment.line},1 @@`,
    position: comment.line,
    original_position: 0,
    html_url: `${repository.web}/pulls/${review.pull}/files#issuecomment-${comment.id}`,
    pull_request_url: `${repository.web}/pulls/${review.pull}`,
  };
}

export function issueCommentJson(comment: FakeIssueComment, repository: FakeRepository) {
  return {
    id: comment.id,
    html_url: `${repository.web}/pulls/${comment.pull}#issuecomment-${comment.id}`,
    pull_request_url: `${repository.web}/pulls/${comment.pull}`,
    issue_url: '',
    user: userJson(comment.author),
    original_author: '',
    original_author_id: 0,
    body: comment.body,
    assets: [],
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
  };
}

/** Gitea's error body (`APIContext.Error`); a 404 also lists its causes in `errors`, null when none. */
export const errorJson = (message: string, swagger: string, notFound = false) => ({ message, url: swagger, ...(notFound ? { errors: null } : {}) });
