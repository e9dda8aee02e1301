import type { ProviderContext, PullRequest, PullRequestInput, PullRequestQuery, PullRequestRef } from '@forge-core/sdk';
import { getResource, gitHubError, gitHubHeaders, MAX_PAGE_SIZE, objectOf, repoName, repoUrl, unexpectedAnswer } from './github-http.ts';

const branchOf = (side: unknown): { ref?: unknown; sha?: unknown } => (typeof side === 'object' && side !== null ? side : {});

/**
 * A pull request as GitHub describes it (`pull-request` from get and create, `pull-request-simple`
 * from a list). GitHub's `state` is only open or closed; a merged one is closed with `merged_at`
 * set (the list has no `merged` flag).
 */
export function toPullRequest(body: unknown, what: string): PullRequest {
  const pr = objectOf(body, what, 'a pull request');
  const head = branchOf(pr['head']);
  const base = branchOf(pr['base']);
  const { number, html_url: url, state, title } = pr;
  const wellFormed =
    Number.isInteger(number) && typeof url === 'string' && (state === 'open' || state === 'closed') && typeof title === 'string' && typeof head.ref === 'string' && typeof base.ref === 'string';
  if (!wellFormed) throw unexpectedAnswer(what, 'a pull request');
  const merged = pr['merged'] === true || typeof pr['merged_at'] === 'string';
  return {
    number: number as number,
    url: url as string,
    state: merged ? 'merged' : (state as 'open' | 'closed'),
    title: title as string,
    head: head.ref as string,
    base: base.ref as string,
    draft: pr['draft'] === true,
    ...(typeof head.sha === 'string' ? { headSha: head.sha } : {}),
  };
}

export async function createGitHubPullRequest(input: PullRequestInput, ctx: ProviderContext): Promise<PullRequest> {
  const what = `opening a pull request from ${input.head} into ${input.base} on ${repoName(input.remote)}`;
  const body = { title: input.title, head: input.head, base: input.base, body: input.body ?? '', draft: input.draft ?? false };
  const response = await ctx.fetch(repoUrl(ctx, input.remote, ['pulls']), { method: 'POST', headers: gitHubHeaders(ctx), body });
  if (response.status !== 201) throw gitHubError(what, response);
  return toPullRequest(response.body, what);
}

export async function getGitHubPullRequest(ref: PullRequestRef, ctx: ProviderContext): Promise<PullRequest> {
  const what = `reading pull request #${ref.number} of ${repoName(ref.remote)}`;
  return toPullRequest(await getResource(ctx, repoUrl(ctx, ref.remote, ['pulls', ref.number]), what), what);
}

/**
 * The newest pull request from `head` into `base`, in any state. Newest first, so one page is
 * enough; GitHub silently ignores a `head` filter it cannot parse and lists every pull request,
 * so the answer is matched on its branches too rather than trusted.
 */
export async function findGitHubPullRequest(query: PullRequestQuery, ctx: ProviderContext): Promise<PullRequest | null> {
  const what = `finding the pull request from ${query.head} into ${query.base} on ${repoName(query.remote)}`;
  const url = repoUrl(ctx, query.remote, ['pulls'], {
    state: 'all',
    head: `${query.remote.owner}:${query.head}`,
    base: query.base,
    sort: 'created',
    direction: 'desc',
    per_page: MAX_PAGE_SIZE,
  });
  const body = await getResource(ctx, url, what);
  if (!Array.isArray(body)) throw unexpectedAnswer(what, 'a list of pull requests');
  const found = body.find((pr: { head?: unknown; base?: unknown } | null) => branchOf(pr?.head).ref === query.head && branchOf(pr?.base).ref === query.base);
  return found === undefined ? null : toPullRequest(found, what);
}
