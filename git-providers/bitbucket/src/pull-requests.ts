import type { ProviderContext, PullRequest, PullRequestInput, PullRequestQuery, PullRequestRef, PullRequestState, RemoteRef } from '@forge-core/sdk';
import type { BitbucketPullRequest, BitbucketPullRequestState } from './bitbucket-api-types.ts';
import { bitbucketError, bitbucketHeaders, getResource, isRecord, listAll, repositoryName, repositoryUrl, unexpectedAnswer } from './bitbucket-http.ts';

/** The largest page Bitbucket serves for pull request lists (50; most other lists allow 100). */
const PULL_REQUEST_PAGE_SIZE = 50;

/** A declined pull request and one superseded by another are both closed without merging. */
const STATE_OF: Record<BitbucketPullRequestState, PullRequestState> = {
  OPEN: 'open',
  MERGED: 'merged',
  DECLINED: 'closed',
  SUPERSEDED: 'closed',
};

/** The states a pull request ends in; `findPullRequest` reads these after the open ones. */
const ENDED_STATES: readonly BitbucketPullRequestState[] = ['MERGED', 'DECLINED', 'SUPERSEDED'];

/** The pull request's page on the web; built from the remote when an answer lacks `links.html`. */
function webUrlOf(pr: BitbucketPullRequest, remote: RemoteRef, number: number): string {
  const href = pr.links?.html?.href;
  if (typeof href === 'string' && href !== '') return href;
  return `https://${remote.host}/${encodeURIComponent(remote.owner)}/${encodeURIComponent(remote.repo)}/pull-requests/${number}`;
}

/** A Bitbucket pull request as the contract's PullRequest; an answer without id, state or branches is not one. */
export function toPullRequest(body: unknown, remote: RemoteRef, what: string): PullRequest {
  const pr = (isRecord(body) ? body : {}) as BitbucketPullRequest;
  const state = pr.state === undefined ? undefined : STATE_OF[pr.state];
  const head = pr.source?.branch?.name;
  const base = pr.destination?.branch?.name;
  if (!Number.isInteger(pr.id) || state === undefined || typeof head !== 'string' || typeof base !== 'string') {
    throw unexpectedAnswer(what, 'a pull request with an id, a state and both branches');
  }
  const number = pr.id as number;
  const headSha = pr.source?.commit?.hash;
  return {
    number,
    url: webUrlOf(pr, remote, number),
    state,
    title: typeof pr.title === 'string' ? pr.title : '',
    head,
    base,
    draft: pr.draft === true,
    ...(typeof headSha === 'string' && headSha !== '' ? { headSha } : {}),
  };
}

export async function createPullRequest(input: PullRequestInput, ctx: ProviderContext): Promise<PullRequest> {
  const what = `opening a pull request from ${input.head} into ${input.base} on ${repositoryName(input.remote)}`;
  // `type` is required of every object in the 2.0 description, the new pull request included.
  // Drafts are not asked for: that description has no `draft` field.
  const body = {
    type: 'pullrequest',
    title: input.title,
    description: input.body ?? '',
    source: { branch: { name: input.head } },
    destination: { branch: { name: input.base } },
  };
  const response = await ctx.fetch(repositoryUrl(ctx, input.remote, ['pullrequests']), { method: 'POST', headers: bitbucketHeaders(ctx), body });
  if (response.status !== 201) throw bitbucketError(what, response);
  return toPullRequest(response.body, input.remote, what);
}

export async function getPullRequest(ref: PullRequestRef, ctx: ProviderContext): Promise<PullRequest> {
  const what = `reading pull request #${ref.number} of ${repositoryName(ref.remote)}`;
  return toPullRequest(await getResource(ctx, repositoryUrl(ctx, ref.remote, ['pullrequests', ref.number]), what), ref.remote, what);
}

/** The pull requests in one state from `head` into `base`, opened from this repository (not a fork's branch of the same name). */
async function pullRequestsBetween(query: PullRequestQuery, state: BitbucketPullRequestState, ctx: ProviderContext): Promise<PullRequest[]> {
  const what = `listing ${state.toLowerCase()} pull requests of ${repositoryName(query.remote)}`;
  const url = repositoryUrl(ctx, query.remote, ['pullrequests'], [['state', state], ['pagelen', PULL_REQUEST_PAGE_SIZE]]);
  const listed = await listAll<BitbucketPullRequest>(ctx, url, what);
  const sameRepository = (pr: BitbucketPullRequest) => {
    const from = pr.source?.repository?.full_name;
    const into = pr.destination?.repository?.full_name;
    return from === undefined || into === undefined || from.toLowerCase() === into.toLowerCase();
  };
  return listed
    .filter((pr) => pr.source?.branch?.name === query.head && pr.destination?.branch?.name === query.base && sameRepository(pr))
    .map((pr) => toPullRequest(pr, query.remote, what));
}

const newest = (prs: readonly PullRequest[]): PullRequest | null => prs.reduce<PullRequest | null>((found, pr) => (found === null || pr.number > found.number ? pr : found), null);

/**
 * The newest pull request from `head` into `base`, in any state. The 2.0 description declares no
 * `q` filter or `sort` for the list, so this lists by `state` and matches the branches here. Open
 * ones first: Bitbucket keeps one open pull request per source and destination, and it is newer
 * than any ended one, so the (long) lists of merged and declined ones are read only when none is open.
 */
export async function findPullRequest(query: PullRequestQuery, ctx: ProviderContext): Promise<PullRequest | null> {
  const open = newest(await pullRequestsBetween(query, 'OPEN', ctx));
  if (open !== null) return open;
  const ended: PullRequest[] = [];
  for (const state of ENDED_STATES) ended.push(...(await pullRequestsBetween(query, state, ctx)));
  return newest(ended);
}
