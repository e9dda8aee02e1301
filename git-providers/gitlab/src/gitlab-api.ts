import {
  followPages,
  ForgeError,
  linkHeaderNext,
  providerHttpError,
  type ProviderContext,
  type ProviderRequest,
  type ProviderResponse,
  type RemoteRef,
} from '@forge-core/sdk';

export const PROVIDER_ID = 'gitlab';

/** GitLab's largest page: a larger `per_page` is cut to 100 (docs.gitlab.com/api/rest#pagination). */
const MAX_PER_PAGE = 100;

/**
 * GitLab documents `PRIVATE-TOKEN` for personal, project and group access tokens, the kinds a user
 * creates for an integration (docs.gitlab.com/api/rest/authentication). `Authorization: Bearer`
 * is its header for OAuth 2.0 tokens, which expire within hours and need a refresh flow this pack
 * does not have.
 */
export function authHeaders(ctx: Pick<ProviderContext, 'token'>): Record<string, string> {
  return ctx.token === null ? {} : { 'PRIVATE-TOKEN': ctx.token };
}

/** "group/sub/project", as messages name a repository. */
export const projectPath = (remote: RemoteRef): string => `${remote.owner}/${remote.repo}`;

/**
 * A URL under the project: `:id` is the URL-encoded full path (so nested groups' slashes become
 * %2F), each further segment is encoded on its own, and the query is form-encoded.
 */
export function projectUrl(ctx: Pick<ProviderContext, 'apiBaseUrl'>, remote: RemoteRef, segments: readonly (string | number)[], query: Record<string, string | number> = {}): string {
  const path = ['projects', projectPath(remote), ...segments].map((segment) => encodeURIComponent(String(segment))).join('/');
  const search = new URLSearchParams(Object.entries(query).map(([name, value]): [string, string] => [name, String(value)])).toString();
  return `${ctx.apiBaseUrl}/${path}${search === '' ? '' : `?${search}`}`;
}

/**
 * GitLab's next page: `X-Next-Page` (empty on the last page) applied to the URL just read, so the
 * next request stays under ctx.apiBaseUrl even when GitLab, behind a proxy, writes its `Link`
 * header with another origin; `Link` alone for keyset pagination, which sends no page number.
 */
export function nextPageOf(response: ProviderResponse, url: string): string | null {
  const nextPage = response.headers['x-next-page'];
  if (nextPage === undefined) return linkHeaderNext(response.headers);
  if (!/^\d+$/.test(nextPage.trim())) return null;
  const next = new URL(url);
  next.searchParams.set('page', nextPage.trim());
  return next.toString();
}

/** The host answered 2xx with something that is not what the endpoint returns. */
export function unexpectedAnswer(what: string, expected: string): ForgeError {
  return new ForgeError('FORGE_PROVIDER_FAILED', `${PROVIDER_ID}: ${what} got an answer that is not ${expected}.`, { provider: PROVIDER_ID });
}

/** One request whose answer must have the `expected` status; any other goes through providerHttpError. */
export async function request(ctx: ProviderContext, url: string, what: string, expected: number, init: ProviderRequest = {}): Promise<unknown> {
  const response = await ctx.fetch(url, { ...init, headers: { ...authHeaders(ctx), ...init.headers } });
  if (response.status !== expected) throw providerHttpError(PROVIDER_ID, what, response);
  return response.body;
}

/** Every item of a GitLab list, all pages, at the largest page size. */
export function readAllPages<T>(ctx: ProviderContext, url: string, what: string): Promise<T[]> {
  const first = new URL(url);
  first.searchParams.set('per_page', String(MAX_PER_PAGE));
  return followPages<T>(ctx, {
    url: first.toString(),
    headers: authHeaders(ctx),
    what: `${PROVIDER_ID}: ${what}`,
    items: (body) => {
      if (!Array.isArray(body)) throw unexpectedAnswer(what, 'a list');
      return body as T[];
    },
    next: nextPageOf,
    fail: (response) => providerHttpError(PROVIDER_ID, what, response),
  });
}
