import { ForgeError, providerHttpError, type ProviderContext, type ProviderRequest, type RemoteRef } from '@forge-core/sdk';

export const GITEA_PROVIDER_ID = 'gitea';

/**
 * Gitea's documented header form (API Usage: "Authorization: token ..."). `Bearer` is accepted
 * too, but Gitea documents it for OAuth2 access tokens; a personal access token is sent the way
 * the docs show for one. No header at all without a token, so public reads stay anonymous.
 */
export function giteaHeaders(ctx: Pick<ProviderContext, 'token'>): Record<string, string> {
  return ctx.token === null ? {} : { authorization: `token ${ctx.token}` };
}

/**
 * `<apiBaseUrl>/repos/<owner>/<repo>/<path…>?<query>`, every path segment percent-encoded: a
 * branch or sha never changes which route the request reaches.
 */
export function repositoryUrl(
  ctx: Pick<ProviderContext, 'apiBaseUrl'>,
  remote: RemoteRef,
  path: readonly (string | number)[],
  query: Readonly<Record<string, string | number>> = {},
): string {
  const segments = ['repos', remote.owner, remote.repo, ...path].map((segment) => encodeURIComponent(String(segment)));
  const search = new URLSearchParams(Object.entries(query).map(([name, value]): [string, string] => [name, String(value)])).toString();
  return `${ctx.apiBaseUrl}/${segments.join('/')}${search === '' ? '' : `?${search}`}`;
}

/** How a pull request is named in errors: "pull request #7 of acme/widgets". */
export const pullRequestName = (remote: RemoteRef, number: number) => `pull request #${number} of ${remote.owner}/${remote.repo}`;

/**
 * One request to Gitea; any status but the expected one becomes the SDK's provider error, whose
 * code a client can act on (the token never enters it: only the host's message does).
 */
export async function requestGitea(
  ctx: Pick<ProviderContext, 'fetch' | 'token'>,
  what: string,
  url: string,
  request: Omit<ProviderRequest, 'headers'> = {},
  expectedStatus = 200,
): Promise<unknown> {
  const response = await ctx.fetch(url, { ...request, headers: giteaHeaders(ctx) });
  if (response.status !== expectedStatus) throw providerHttpError(GITEA_PROVIDER_ID, what, response);
  // Something else answered (a login page, a proxy): the API URL is wrong, not the pull request.
  if (typeof response.body !== 'object' || response.body === null) {
    throw new ForgeError('FORGE_PROVIDER_FAILED', `${GITEA_PROVIDER_ID}: ${what}: the answer (HTTP ${response.status}) is not Gitea's JSON; check the API URL.`, {
      provider: GITEA_PROVIDER_ID,
      status: response.status,
    });
  }
  return response.body;
}
