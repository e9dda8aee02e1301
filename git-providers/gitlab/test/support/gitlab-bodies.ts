/**
 * Answers shaped like GitLab.com's (docs.gitlab.com/api/merge_requests, /api/pipelines,
 * /api/commits, /api/notes), for the fake GitLab and the contract tests. Fields GitLab sends as
 * null are sent as null, as it does.
 */

export interface UserFields {
  id: number;
  username: string;
  name: string;
}

export interface MergeRequestFields {
  id: number;
  iid: number;
  projectId: number;
  /** "group/project", for references. */
  projectPath: string;
  webUrl: string;
  title: string;
  description: string;
  state: 'opened' | 'closed' | 'locked' | 'merged';
  draft: boolean;
  sourceBranch: string;
  targetBranch: string;
  sha: string;
  baseSha: string;
  author: UserFields;
  createdAt: string;
  updatedAt: string;
  mergedAt?: string;
  closedAt?: string;
  /** A fork's project id when the merge request comes from one. */
  sourceProjectId?: number;
}

export function userBody(user: UserFields, webOrigin: string): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    state: 'active',
    locked: false,
    avatar_url: `https://secure.gravatar.com/avatar/${user.id.toString(16).padStart(32, '0')}?s=80&d=identicon`,
    web_url: `${webOrigin}/${user.username}`,
  };
}

/** One merge request as the list endpoint sends it (APIEntitiesMergeRequestBasic). */
export function mergeRequestBasicBody(mr: MergeRequestFields, webOrigin: string): Record<string, unknown> {
  const author = userBody(mr.author, webOrigin);
  const merged = mr.state === 'merged';
  return {
    id: mr.id,
    iid: mr.iid,
    project_id: mr.projectId,
    title: mr.title,
    description: mr.description,
    state: mr.state,
    created_at: mr.createdAt,
    updated_at: mr.updatedAt,
    merged_by: merged ? author : null,
    merge_user: merged ? author : null,
    merged_at: mr.mergedAt ?? null,
    closed_by: mr.state === 'closed' ? author : null,
    closed_at: mr.closedAt ?? null,
    target_branch: mr.targetBranch,
    source_branch: mr.sourceBranch,
    user_notes_count: 0,
    upvotes: 0,
    downvotes: 0,
    author,
    assignees: [],
    assignee: null,
    reviewers: [],
    source_project_id: mr.sourceProjectId ?? mr.projectId,
    target_project_id: mr.projectId,
    labels: [],
    draft: mr.draft,
    imported: false,
    imported_from: 'none',
    work_in_progress: mr.draft,
    milestone: null,
    merge_when_pipeline_succeeds: false,
    merge_status: 'can_be_merged',
    detailed_merge_status: mr.state !== 'opened' ? 'not_open' : mr.draft ? 'draft_status' : 'mergeable',
    merge_after: null,
    sha: mr.sha,
    merge_commit_sha: merged ? mr.sha.split('').reverse().join('') : null,
    squash_commit_sha: null,
    discussion_locked: null,
    should_remove_source_branch: null,
    force_remove_source_branch: true,
    prepared_at: mr.createdAt,
    allow_collaboration: false,
    allow_maintainer_to_push: false,
    reference: `!${mr.iid}`,
    references: { short: `!${mr.iid}`, relative: `!${mr.iid}`, full: `${mr.projectPath}!${mr.iid}` },
    web_url: mr.webUrl,
    time_stats: { time_estimate: 0, total_time_spent: 0, human_time_estimate: null, human_total_time_spent: null },
    squash: false,
    squash_on_merge: false,
    task_completion_status: { count: 0, completed_count: 0 },
    has_conflicts: false,
    blocking_discussions_resolved: true,
    approvals_before_merge: null,
  };
}

/** One merge request as create and get send it (APIEntitiesMergeRequest). */
export function mergeRequestBody(mr: MergeRequestFields, webOrigin: string): Record<string, unknown> {
  return {
    ...mergeRequestBasicBody(mr, webOrigin),
    subscribed: true,
    changes_count: '1',
    latest_build_started_at: null,
    latest_build_finished_at: null,
    first_deployed_to_production_at: null,
    pipeline: null,
    head_pipeline: null,
    diff_refs: { base_sha: mr.baseSha, head_sha: mr.sha, start_sha: mr.baseSha },
    merge_error: null,
    first_contribution: false,
    user: { can_merge: true },
  };
}

export interface PipelineFields {
  id: number;
  iid: number;
  projectId: number;
  sha: string;
  ref: string;
  status: string;
  webUrl: string;
  createdAt: string;
}

export function pipelineBody(pipeline: PipelineFields): Record<string, unknown> {
  return {
    id: pipeline.id,
    iid: pipeline.iid,
    project_id: pipeline.projectId,
    sha: pipeline.sha,
    ref: pipeline.ref,
    status: pipeline.status,
    source: 'merge_request_event',
    created_at: pipeline.createdAt,
    updated_at: pipeline.createdAt,
    web_url: pipeline.webUrl,
  };
}

export interface CommitStatusFields {
  id: number;
  sha: string;
  ref: string;
  name: string;
  status: string;
  description: string | null;
  targetUrl: string;
  pipelineId: number;
  allowFailure?: boolean;
  author: UserFields;
  createdAt: string;
}

const FINISHED = new Set(['success', 'failed', 'canceled']);

export function commitStatusBody(status: CommitStatusFields, webOrigin: string): Record<string, unknown> {
  return {
    id: status.id,
    sha: status.sha,
    ref: status.ref,
    status: status.status,
    name: status.name,
    target_url: status.targetUrl,
    description: status.description,
    created_at: status.createdAt,
    started_at: ['created', 'pending', 'manual', 'skipped'].includes(status.status) ? null : status.createdAt,
    finished_at: FINISHED.has(status.status) ? status.createdAt : null,
    allow_failure: status.allowFailure ?? false,
    coverage: null,
    pipeline_id: status.pipelineId,
    author: userBody(status.author, webOrigin),
  };
}

export interface NoteFields {
  id: number;
  body: string;
  author: UserFields;
  createdAt: string;
  system: boolean;
  projectId: number;
  mergeRequestId: number;
  mergeRequestIid: number;
  /** A diff note's place; absent for a comment on the merge request as a whole. */
  position?: { path: string; line?: number; baseSha: string; headSha: string };
}

export function noteBody(note: NoteFields, webOrigin: string): Record<string, unknown> {
  const diffNote = note.position !== undefined;
  return {
    id: note.id,
    type: diffNote ? 'DiffNote' : null,
    body: note.body,
    author: userBody(note.author, webOrigin),
    created_at: note.createdAt,
    updated_at: note.createdAt,
    system: note.system,
    noteable_id: note.mergeRequestId,
    noteable_type: 'MergeRequest',
    project_id: note.projectId,
    resolvable: diffNote,
    confidential: false,
    internal: false,
    imported: false,
    imported_from: 'none',
    noteable_iid: note.mergeRequestIid,
    commands_changes: {},
    ...(note.position === undefined
      ? {}
      : {
          commit_id: null,
          position: {
            base_sha: note.position.baseSha,
            start_sha: note.position.baseSha,
            head_sha: note.position.headSha,
            old_path: note.position.path,
            new_path: note.position.path,
            position_type: 'text',
            old_line: null,
            new_line: note.position.line ?? null,
            line_range: null,
          },
          resolved: false,
          resolved_by: null,
          resolved_at: null,
          suggestions: [],
        }),
  };
}

/** GitLab's error answer: `{"message": …}` with the status's own words. */
export const errorBody = (message: string | string[]) => ({ message });
