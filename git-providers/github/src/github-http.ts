import { followPages, ForgeError, linkHeaderNext, providerHttpError, type ProviderContext, type ProviderResponse, type RemoteRef } from '@forge-core/sdk';

export const GITHUB_PROVIDER_ID = 'github';

/** The REST API version this pack is written against; GitHub.com and GHES 3.9 and later serve it. */
const API_VERSION = '2022-11-28';

/** GitHub's largest page (`per_page`) on every list endpoint used here. */
export const MAX_PAGE_SIZE = 100;

type UrlPart = string | number;

/**
 * What GitHub asks every REST request to send; the token only when one is configured (public
 * repositories answer without). Names in lower case, as the host's fetch writes its defaults, so
 * each replaces the default rather than joining it.
 */
export function gitHubHeaders(ctx: Pick<ProviderContext, 'token'>): Record<string, string> {
  return {
    accept: 'application/vnd.github+json',
    'x-github-api-version': API_VERSION,
    ...(ctx.token === null ? {} : { authorization: `Bearer ${ctx.token}` }),
  };
}

/** `{apiBaseUrl}/repos/{owner}/{repo}/…`, every path segment encoded, so a name never changes the path. */
export function repoUrl(ctx: Pick<ProviderContext, 'apiBaseUrl'>, remote: RemoteRef, segments: readonly UrlPart[], query: Record<string, UrlPart> = {}): string {
  const path = [remote.owner, remote.repo, ...segments].map((segment) => encodeURIComponent(String(segment))).join('/');
  const search = new URLSearchParams(Object.entries(query).map(([name, value]): [string, string] => [name, String(value)])).toString();
  return `${ctx.apiBaseUrl}/repos/${path}${search === '' ? '' : `?${search}`}`;
}

export const repoName = (remote: RemoteRef) => `${remote.owner}/${remote.repo}`;

/** The error for an answer other than the one expected, with the code a client can act on. */
export const gitHubError = (what: string, response: ProviderResponse) => providerHttpError(GITHUB_PROVIDER_ID, what, response);

/** A 2xx answer whose body is not what GitHub documents: a proxy's page, a truncated body. */
export function unexpectedAnswer(what: string, expected: string): ForgeError {
  return new ForgeError('FORGE_PROVIDER_FAILED', `${GITHUB_PROVIDER_ID}: ${what}: the answer is not ${expected}.`, { provider: GITHUB_PROVIDER_ID });
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The JSON object of an answer, or the error saying it was something else. */
export function objectOf(body: unknown, what: string, expected: string): Record<string, unknown> {
  if (!isRecord(body)) throw unexpectedAnswer(what, expected);
  return body;
}

/** A GET of one resource: its body when GitHub answers 200, else the mapped error. */
export async function getResource(ctx: ProviderContext, url: string, what: string): Promise<unknown> {
  const response = await ctx.fetch(url, { headers: gitHubHeaders(ctx) });
  if (response.status !== 200) throw gitHubError(what, response);
  return response.body;
}

/**
 * Every item of a GitHub list, all pages, following the `Link: rel="next"` GitHub sends. `field`
 * names the array in answers that wrap it (`check_runs`, `statuses`); plain lists are the body.
 */
export function listAll<T>(ctx: ProviderContext, url: string, what: string, field?: string): Promise<T[]> {
  return followPages<T>(ctx, {
    url,
    what,
    headers: gitHubHeaders(ctx),
    items(body) {
      const list = field === undefined ? body : isRecord(body) ? body[field] : undefined;
      if (!Array.isArray(list)) throw unexpectedAnswer(what, field === undefined ? 'a list' : `an object with a "${field}" list`);
      return list as T[];
    },
    next: (response) => linkHeaderNext(response.headers),
    fail: (response, failed) => gitHubError(failed, response),
  });
}
