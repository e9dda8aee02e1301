import type { ProviderContext, PullRequest, PullRequestInput, PullRequestQuery, PullRequestRef, PullRequestState } from '@forge-core/sdk';
import type { GitLabMergeRequest, GitLabMergeRequestState } from './api-types.ts';
import { projectPath, projectUrl, readAllPages, request, unexpectedAnswer } from './gitlab-api.ts';

/** `locked` lasts while GitLab carries out a merge: the merge request is not merged yet. */
const STATES: Readonly<Record<GitLabMergeRequestState, PullRequestState>> = { opened: 'open', locked: 'open', closed: 'closed', merged: 'merged' };

/**
 * How GitLab marks a draft in its title (MergeRequest::DRAFT_REGEX). The recorded API spec has no
 * `draft` field on create, so a draft is opened with the marker, and the marker is taken off the
 * title read back: it encodes `draft`, it is not part of the title (GitLab removes it on "Mark as ready").
 */
const DRAFT_MARKER = /^\s*(?:\[draft\]|\(draft\)|draft:)\s*/i;

const isMergeRequest = (body: unknown): body is GitLabMergeRequest => {
  const mr = body as Partial<GitLabMergeRequest> | null;
  return (
    typeof mr === 'object' &&
    mr !== null &&
    Number.isInteger(mr.iid) &&
    typeof mr.title === 'string' &&
    typeof mr.source_branch === 'string' &&
    typeof mr.target_branch === 'string' &&
    typeof mr.web_url === 'string' &&
    typeof mr.state === 'string' &&
    Object.hasOwn(STATES, mr.state)
  );
};

/** A merge request as the contract's PullRequest; what does not look like one is the host's failure. */
function toPullRequest(body: unknown, what: string): PullRequest {
  if (!isMergeRequest(body)) throw unexpectedAnswer(what, 'a merge request');
  const draft = body.draft ?? body.work_in_progress ?? false;
  return {
    number: body.iid,
    url: body.web_url,
    state: STATES[body.state],
    title: draft ? body.title.replace(DRAFT_MARKER, '') : body.title,
    head: body.source_branch,
    base: body.target_branch,
    draft,
    ...(typeof body.sha === 'string' && body.sha !== '' ? { headSha: body.sha } : {}),
  };
}

const readingWhat = (ref: PullRequestRef) => `reading merge request !${ref.number} of ${projectPath(ref.remote)}`;

/** The merge request as GitLab answers it, for the hooks that need more than a PullRequest. */
export async function readMergeRequest(ref: PullRequestRef, ctx: ProviderContext): Promise<GitLabMergeRequest> {
  const what = readingWhat(ref);
  const body = await request(ctx, projectUrl(ctx, ref.remote, ['merge_requests', ref.number]), what, 200);
  if (!isMergeRequest(body)) throw unexpectedAnswer(what, 'a merge request');
  return body;
}

export async function createMergeRequest(input: PullRequestInput, ctx: ProviderContext): Promise<PullRequest> {
  const what = `opening a merge request from ${input.head} into ${input.base} on ${projectPath(input.remote)}`;
  const title = input.draft === true && !DRAFT_MARKER.test(input.title) ? `Draft: ${input.title}` : input.title;
  const body = {
    source_branch: input.head,
    target_branch: input.base,
    title,
    ...(input.body === undefined ? {} : { description: input.body }),
  };
  const created = await request(ctx, projectUrl(ctx, input.remote, ['merge_requests']), what, 201, { method: 'POST', body });
  return toPullRequest(created, what);
}

export async function getMergeRequest(ref: PullRequestRef, ctx: ProviderContext): Promise<PullRequest> {
  return toPullRequest(await readMergeRequest(ref, ctx), readingWhat(ref));
}

/**
 * The newest merge request from `head` into `base`, in any state. GitLab's `source_branch` filter
 * also matches merge requests from forks that have a branch of that name; only one from the
 * project itself is the attempt's.
 */
export async function findMergeRequest(query: PullRequestQuery, ctx: ProviderContext): Promise<PullRequest | null> {
  const what = `looking for a merge request from ${query.head} into ${query.base} on ${projectPath(query.remote)}`;
  const url = projectUrl(ctx, query.remote, ['merge_requests'], {
    source_branch: query.head,
    target_branch: query.base,
    state: 'all',
    order_by: 'created_at',
    sort: 'desc',
  });
  const found = await readAllPages<unknown>(ctx, url, what);
  const own = found.find((mr) => {
    const { source_project_id: source, target_project_id: target } = (mr ?? {}) as Partial<GitLabMergeRequest>;
    return source == null || target == null || source === target;
  });
  return own === undefined ? null : toPullRequest(own, what);
}
