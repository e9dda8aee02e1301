import { ForgeError } from './errors.ts';
import type { ProviderContext, ProviderResponse } from './git-provider.ts';

/** The `rel="next"` target of an RFC 8288 `Link` header (GitHub, GitLab, Gitea), or null. */
export function linkHeaderNext(headers: Readonly<Record<string, string>>): string | null {
  for (const part of (headers['link'] ?? '').split(',')) {
    const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (match && /\brel\s*=\s*"?(?:[^"]*\s)?next(?:\s[^"]*)?"?/i.test(match[2] as string)) return match[1] as string;
  }
  return null;
}

export interface PageRequest<T> {
  /** The first page's URL. */
  url: string;
  headers?: Readonly<Record<string, string>>;
  /** What the reading is, for errors: "listing review comments of #4". */
  what: string;
  /** The items of one page's answer. */
  items(body: unknown): T[];
  /** The next page's URL, or null on the last page. Default: the `Link` header's `rel="next"`. */
  next?(response: ProviderResponse, url: string): string | null;
  /** Turns a failed answer into an error; `providerHttpError` for most hosts. */
  fail(response: ProviderResponse, what: string): Error;
  /** A bound on pages read; a host that keeps sending `next` past it is an error. Default 100. */
  maxPages?: number;
}

/**
 * Every item of a paginated list, page by page, following the host's "next" until it stops. A
 * next page on another origin is refused: the token must not travel to a host it was not for.
 */
export async function followPages<T>(ctx: Pick<ProviderContext, 'fetch'>, request: PageRequest<T>): Promise<T[]> {
  const origin = new URL(request.url).origin;
  const maxPages = request.maxPages ?? 100;
  const items: T[] = [];
  let url: string | null = request.url;
  for (let page = 0; url !== null; page++) {
    if (page === maxPages) throw new ForgeError('FORGE_PROVIDER_FAILED', `${request.what}: the host kept sending pages past ${maxPages}.`);
    const response: ProviderResponse = await ctx.fetch(url, request.headers ? { headers: request.headers } : {});
    if (response.status !== 200) throw request.fail(response, request.what);
    items.push(...request.items(response.body));
    const next: string | null = request.next ? request.next(response, url) : linkHeaderNext(response.headers);
    if (next !== null && new URL(next, url).origin !== origin) {
      throw new ForgeError('FORGE_PROVIDER_FAILED', `${request.what}: the host sent a next page on another origin (${new URL(next, url).origin}); not followed.`);
    }
    url = next === null ? null : new URL(next, url).toString();
  }
  return items;
}
