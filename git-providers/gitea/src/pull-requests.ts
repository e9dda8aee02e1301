import type { ProviderContext, PullRequest, PullRequestInput, PullRequestQuery, PullRequestRef } from '@forge-core/sdk';
import { pullRequestName, repositoryUrl, requestGitea } from './gitea-api.ts';
import type { GiteaPullRequest } from './gitea-api-types.ts';
import { arrayItems, GITEA_PAGE_SIZE, listGitea } from './gitea-pages.ts';
import { readTitle, titleToSend } from './work-in-progress-title.ts';

/**
 * How many pages of the most recently updated pull requests `findPullRequest` reads (50 each):
 * the pull request of a branch Forge is following is being updated, so it is near the top; an
 * older one is not worth reading a busy repository's whole history for.
 */
const FIND_PAGES = 10;

/**
 * The branch a pull request comes from: `label` is its name even after the branch is deleted
 * (merged with "delete branch"), when `ref` turns into `refs/pull/N/head`.
 */
const headBranch = (pr: GiteaPullRequest) => pr.head?.label || pr.head?.ref || '';
const baseBranch = (pr: GiteaPullRequest) => pr.base?.ref || pr.base?.label || '';

/** A Gitea pull request in the contract's terms; `merged` is a flag beside the open/closed state. */
function toPullRequest(pr: GiteaPullRequest): PullRequest {
  const { title, workInProgress } = readTitle(pr.title ?? '');
  return {
    number: pr.number ?? 0,
    url: pr.html_url ?? '',
    state: pr.merged === true ? 'merged' : pr.state === 'closed' ? 'closed' : 'open',
    title,
    head: headBranch(pr),
    base: baseBranch(pr),
    draft: pr.draft ?? workInProgress,
    ...(pr.head?.sha ? { headSha: pr.head.sha } : {}),
  };
}

/** `POST /repos/{owner}/{repo}/pulls`; a draft is a "WIP: " title, the only draft Gitea has. */
export async function createPullRequest(input: PullRequestInput, ctx: ProviderContext): Promise<PullRequest> {
  const { remote } = input;
  const body = { title: titleToSend(input.title, input.draft === true), body: input.body ?? '', head: input.head, base: input.base };
  const what = `opening a pull request from ${input.head} into ${input.base} on ${remote.owner}/${remote.repo}`;
  const created = await requestGitea(ctx, what, repositoryUrl(ctx, remote, ['pulls']), { method: 'POST', body }, 201);
  return toPullRequest(created as GiteaPullRequest);
}

/** `GET /repos/{owner}/{repo}/pulls/{index}`. */
export async function getPullRequest(ref: PullRequestRef, ctx: ProviderContext): Promise<PullRequest> {
  return toPullRequest(await readPullRequest(ref, ctx));
}

/** The host's own answer for a pull request, for hooks that need more of it (its head commit). */
export async function readPullRequest(ref: PullRequestRef, ctx: ProviderContext): Promise<GiteaPullRequest> {
  const url = repositoryUrl(ctx, ref.remote, ['pulls', ref.number]);
  return (await requestGitea(ctx, `reading ${pullRequestName(ref.remote, ref.number)}`, url)) as GiteaPullRequest;
}

/**
 * Gitea 1.20 has no filter by head branch (later releases add `GET /pulls/{base}/{head}`, which
 * picks one of several in no stated order), so this lists pull requests in any state, most
 * recently updated first, and takes the first from `head` into `base` within the same repository
 * (not a fork's branch of the same name).
 */
export async function findPullRequest(query: PullRequestQuery, ctx: ProviderContext): Promise<PullRequest | null> {
  const { remote, head, base } = query;
  // A fork's head has its own repository id; one whose repository was deleted has -1.
  const matches = (pr: GiteaPullRequest) => headBranch(pr) === head && baseBranch(pr) === base && pr.head?.repo_id === pr.base?.repo_id;
  const pulls = await listGitea<GiteaPullRequest>(ctx, {
    what: `looking for a pull request from ${head} into ${base} on ${remote.owner}/${remote.repo}`,
    url: repositoryUrl(ctx, remote, ['pulls'], { state: 'all', sort: 'recentupdate', limit: GITEA_PAGE_SIZE }),
    items: arrayItems,
    enough: (read) => read.some(matches),
    maxPages: FIND_PAGES,
  });
  const found = pulls.find(matches);
  return found === undefined ? null : toPullRequest(found);
}
