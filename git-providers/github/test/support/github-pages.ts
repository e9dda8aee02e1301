import type { FakeAnswer, FakeRequest } from '@forge-core/openapi-fake-host';

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * One page of a GitHub list, served the way GitHub serves it: `per_page` items (30 unless asked,
 * at most 100) from `page`, and a `Link` header naming the next and last pages while there are more.
 * `wrap` builds the body of answers that hold the list in a field (`{total_count, check_runs}`).
 */
export function gitHubPage<T>(request: FakeRequest, items: readonly T[], wrap: (page: T[]) => unknown = (page) => page): FakeAnswer {
  const perPage = Math.min(100, Math.max(1, Number(first(request.query['per_page']) ?? 30)));
  const page = Math.max(1, Number(first(request.query['page']) ?? 1));
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const pageUrl = (number: number) => {
    const url = new URL(request.url);
    url.searchParams.set('page', String(number));
    return url.toString();
  };
  const link = page < pages ? `<${pageUrl(page + 1)}>; rel="next", <${pageUrl(pages)}>; rel="last"` : undefined;
  return {
    status: 200,
    body: wrap(items.slice((page - 1) * perPage, page * perPage)),
    ...(link === undefined ? {} : { headers: { link } }),
  };
}
