/** GitLab's default page size and its largest (docs.gitlab.com/api/rest#offset-based-pagination). */
const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 100;

const positiveInteger = (value: unknown, fallback: number) => {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(number) && number > 0 ? number : fallback;
};

/**
 * One page of a list as GitLab serves it: `page`/`per_page` from the query (a larger page is cut
 * to 100), with GitLab's pagination headers — X-Page, X-Per-Page, X-Total, X-Total-Pages,
 * X-Next-Page and X-Prev-Page (empty at the ends) — and a `Link` header on the request's own URL.
 */
export function gitlabPage<T>(items: readonly T[], url: URL): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(positiveInteger(url.searchParams.get('per_page'), DEFAULT_PER_PAGE), MAX_PER_PAGE);
  const page = positiveInteger(url.searchParams.get('page'), 1);
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const pageUrl = (number: number) => {
    const target = new URL(url);
    target.searchParams.set('page', String(number));
    return target.toString();
  };
  const links = [
    ...(page > 1 ? [`<${pageUrl(page - 1)}>; rel="prev"`] : []),
    ...(page < totalPages ? [`<${pageUrl(page + 1)}>; rel="next"`] : []),
    `<${pageUrl(1)}>; rel="first"`,
    `<${pageUrl(totalPages)}>; rel="last"`,
  ];
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-total': String(items.length),
      'x-total-pages': String(totalPages),
      'x-next-page': page < totalPages ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      link: links.join(', '),
    },
  };
}
