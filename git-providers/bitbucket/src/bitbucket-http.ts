import { followPages, ForgeError, providerHttpError, type ProviderContext, type ProviderResponse, type RemoteRef } from '@forge-core/sdk';

export const BITBUCKET_PROVIDER_ID = 'bitbucket';

type QueryValue = string | number;

/**
 * Workspace and repository access tokens are sent as a bearer token (Bitbucket's "Using access
 * tokens"); only when one is configured, since public repositories answer without.
 */
export function bitbucketHeaders(ctx: Pick<ProviderContext, 'token'>): Record<string, string> {
  return ctx.token === null ? {} : { Authorization: `Bearer ${ctx.token}` };
}

/** `{apiBaseUrl}/repositories/{workspace}/{repo_slug}/…`, every segment encoded so a name never changes the path. */
export function repositoryUrl(ctx: Pick<ProviderContext, 'apiBaseUrl'>, remote: RemoteRef, segments: readonly QueryValue[], query: readonly [string, QueryValue][] = []): string {
  const path = [remote.owner, remote.repo, ...segments].map((segment) => encodeURIComponent(String(segment))).join('/');
  const search = new URLSearchParams(query.map(([name, value]): [string, string] => [name, String(value)])).toString();
  return `${ctx.apiBaseUrl}/repositories/${path}${search === '' ? '' : `?${search}`}`;
}

export const repositoryName = (remote: RemoteRef) => `${remote.owner}/${remote.repo}`;

/** The error for an answer other than the one expected, with the code a client can act on. */
export const bitbucketError = (what: string, response: ProviderResponse) => providerHttpError(BITBUCKET_PROVIDER_ID, what, response);

/** A success whose body is not what Bitbucket documents: a proxy's page, a truncated body. */
export function unexpectedAnswer(what: string, expected: string): ForgeError {
  return new ForgeError('FORGE_PROVIDER_FAILED', `${BITBUCKET_PROVIDER_ID}: ${what}: the answer is not ${expected}.`, { provider: BITBUCKET_PROVIDER_ID });
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A GET of one resource: its body when Bitbucket answers 200, else the mapped error. */
export async function getResource(ctx: ProviderContext, url: string, what: string): Promise<unknown> {
  const response = await ctx.fetch(url, { headers: bitbucketHeaders(ctx) });
  if (response.status !== 200) throw bitbucketError(what, response);
  return response.body;
}

/**
 * Bitbucket's next page is the `next` URL in the body of each page. It is followed only under
 * `ctx.apiBaseUrl`: behind a proxy, a `next` naming Bitbucket's own host (or another path) would
 * send the token somewhere the user did not configure.
 */
function nextPageUnder(apiBaseUrl: string, what: string) {
  return (response: ProviderResponse): string | null => {
    const next = isRecord(response.body) ? response.body['next'] : undefined;
    if (next === undefined || next === null) return null;
    if (typeof next !== 'string' || !next.startsWith(`${apiBaseUrl}/`)) {
      throw new ForgeError('FORGE_PROVIDER_FAILED', `${BITBUCKET_PROVIDER_ID}: ${what}: the host sent a next page outside ${apiBaseUrl}; not followed.`, {
        provider: BITBUCKET_PROVIDER_ID,
      });
    }
    return next;
  };
}

/** Every item of a Bitbucket collection (`{values, next}`), all pages. */
export function listAll<T>(ctx: ProviderContext, url: string, what: string): Promise<T[]> {
  return followPages<T>(ctx, {
    url,
    what,
    headers: bitbucketHeaders(ctx),
    items(body) {
      const values = isRecord(body) ? body['values'] : undefined;
      if (!Array.isArray(values)) throw unexpectedAnswer(what, 'a page with a "values" list');
      return values as T[];
    },
    next: nextPageUnder(ctx.apiBaseUrl, what),
    fail: (response, failed) => bitbucketError(failed, response),
  });
}
