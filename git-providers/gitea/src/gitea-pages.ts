import { followPages, ForgeError, linkHeaderNext, providerHttpError, type ProviderContext, type ProviderResponse } from '@forge-core/sdk';
import { GITEA_PROVIDER_ID, giteaHeaders } from './gitea-api.ts';

/**
 * The largest page Gitea serves: `[api] MAX_RESPONSE_ITEMS`, 50 unless the admin changed it (API
 * Usage docs). A smaller configured maximum silently wins, so pages are counted by what arrived,
 * never by this number.
 */
export const GITEA_PAGE_SIZE = 50;

export interface GiteaListing<T> {
  /** What is being read, for errors: "listing reviews of pull request #4 of acme/widgets". */
  what: string;
  /** The first page's URL, with `limit` when the operation takes one. */
  url: string;
  items(body: unknown): T[];
  /** Stop before the host's last page, e.g. once the item looked for has come; default never. */
  enough?(items: readonly T[]): boolean;
  /** Pages to read at most before giving up the search; default: followPages' bound. */
  maxPages?: number;
}

/**
 * Gitea's "next page" rule. Every paginated list sends `X-Total-Count` (the total number of
 * items); only some also send a `Link` header (pull requests do, reviews and the combined status
 * do not), and its URL is built from the server's ROOT_URL, which is not always the base URL Forge
 * reaches the API at. So the next page is this URL with `page` + 1, while fewer items than the
 * total have come; without `X-Total-Count`, while the host still links a next page.
 */
function giteaNextPage<T>(listing: GiteaListing<T>): (response: ProviderResponse, url: string) => string | null {
  const seen: T[] = [];
  let pages = 0;
  return (response, url) => {
    const items = listing.items(response.body);
    seen.push(...items);
    pages += 1;
    if (items.length === 0 || listing.enough?.(seen) === true || pages === listing.maxPages) return null;
    const total = Number.parseInt(response.headers['x-total-count'] ?? '', 10);
    const more = Number.isInteger(total) ? seen.length < total : linkHeaderNext(response.headers) !== null;
    if (!more) return null;
    const next = new URL(url);
    next.searchParams.set('page', String(Number(next.searchParams.get('page') ?? '1') + 1));
    return next.toString();
  };
}

/** Every item of a Gitea list, page after page, through the SDK's `followPages`. */
export function listGitea<T>(ctx: Pick<ProviderContext, 'fetch' | 'token'>, listing: GiteaListing<T>): Promise<T[]> {
  return followPages(ctx, {
    url: listing.url,
    headers: giteaHeaders(ctx),
    what: listing.what,
    items: listing.items,
    next: giteaNextPage(listing),
    fail: (response, what) => providerHttpError(GITEA_PROVIDER_ID, what, response),
  });
}

/**
 * The items of a list answer. Anything else is an error, never an empty page: finding no pull
 * request of a branch because a proxy answered would open a second one.
 */
export function arrayItems<T>(body: unknown): T[] {
  if (!Array.isArray(body)) {
    throw new ForgeError('FORGE_PROVIDER_FAILED', `${GITEA_PROVIDER_ID}: a list was expected and the answer is not one; check the API URL.`, { provider: GITEA_PROVIDER_ID });
  }
  return body as T[];
}
