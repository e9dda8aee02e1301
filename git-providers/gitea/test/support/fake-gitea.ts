import { createHash, randomUUID } from 'node:crypto';
import { startFakeHost, type FakeAnswer, type FakeRequest, type ProviderFake } from '@forge-core/openapi-fake-host';
import { GITEA_API_PATH, giteaSpecWithErrorBodies } from './gitea-spec.ts';
import {
  errorJson,
  inlineCommentJson,
  issueCommentJson,
  pullJson,
  reviewJson,
  statusJson,
  type FakeIssueComment,
  type FakePull,
  type FakeRepository,
  type FakeReview,
  type FakeStatus,
} from './gitea-json.ts';

/** For this pack's tests: one interface for all four fakes, since the core's end-to-end test drives them alike. */
export type { ProviderFake };

export interface FakeGiteaOptions {
  token?: string;
  owner?: string;
  repo?: string;
  /** The server's `[api] MAX_RESPONSE_ITEMS`: the largest page it serves, whatever `limit` asks. Default 50, as Gitea's. */
  maxResponseItems?: number;
  /** Where the API is served, below the origin: "/api/v1", or "/gitea/api/v1" for a server installed under a sub-path. */
  basePath?: string;
  /** The server's ROOT_URL, which Gitea builds its `Link` headers from; default: the address it listens on. */
  rootUrl?: string;
}

/** Gitea's `[api] DEFAULT_PAGING_NUM`: the page size when a request gives no `limit`. */
const DEFAULT_PAGING_NUM = 30;
/** Who the token belongs to: the author of every pull request the provider opens. */
const TOKEN_OWNER = 'forge-bot';
const DEFAULT_CHECK = 'ci / test (pull_request)';
const CHECK_DESCRIPTIONS = { pending: 'Waiting to run', success: 'Successful in 12s', failure: 'Failing after 41s' };
/** Gitea's default WORK_IN_PROGRESS_PREFIXES, compared case-insensitively. */
const isWorkInProgress = (title: string) => /^(wip:|\[wip\])/i.test(title);

const fakeSha = (seed: string) => createHash('sha1').update(seed).digest('hex');

/** A logical clock: each event one minute after the last, so "oldest first" never depends on timing. */
function logicalClock(): () => string {
  let minutes = 0;
  return () => new Date(Date.UTC(2024, 4, 6, 10, minutes++)).toISOString().replace('.000Z', 'Z');
}

/** One page of a list as Gitea cuts it (`utils.GetListOptions`), and the headers it sends with it. */
function pageOf<T>(items: readonly T[], request: FakeRequest, maxItems: number, link: ((page: number, size: number) => string) | null) {
  const asked = Number(request.query['limit'] ?? 0);
  const size = asked <= 0 ? Math.min(DEFAULT_PAGING_NUM, maxItems) : Math.min(asked, maxItems);
  const page = Math.max(1, Number(request.query['page'] ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / size));
  const rels: (readonly [string, number])[] = [...(page < last ? [['next', page + 1] as const, ['last', last] as const] : []), ...(page > 1 ? [['first', 1] as const, ['prev', page - 1] as const] : [])];
  const links = link === null ? [] : rels.map(([rel, target]) => `<${link(target, size)}>; rel="${rel}"`);
  return {
    items: items.slice((page - 1) * size, page * size),
    headers: { 'x-total-count': String(items.length), ...(links.length > 0 ? { link: links.join(',') } : {}) },
  };
}

/**
 * A stateful Gitea 1.20 for one repository, on 127.0.0.1, behind the OpenAPI fake host: every
 * request the provider sends and every answer given are checked against Gitea's spec. It serves
 * the operations the provider uses — open, read and list pull requests, the combined status,
 * reviews and their comments, conversation comments — and keeps pull requests, statuses and
 * comments in memory. Reads need no token (a public repository); a wrong token is refused.
 */
export async function startFakeGitea(options: FakeGiteaOptions = {}): Promise<ProviderFake> {
  const token = options.token ?? `gitea-fake-${randomUUID()}`;
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'widgets';
  const maxItems = options.maxResponseItems ?? 50;
  const now = logicalClock();
  const pulls: FakePull[] = [];
  const statuses: FakeStatus[] = [];
  const reviews: FakeReview[] = [];
  const issueComments: FakeIssueComment[] = [];
  let lastCommentId = 7000;
  let rateLimits: number[] = [];
  let repository: FakeRepository;
  let swagger: string;

  const pullOf = (number: number) => {
    const pull = pulls.find((candidate) => candidate.number === number);
    if (pull === undefined) throw new Error(`fake gitea: there is no pull request #${number} (${pulls.length} opened)`);
    return pull;
  };
  const touch = (pull: FakePull) => (pull.updatedAt = now());
  const notFound = (): FakeAnswer => ({ status: 404, body: errorJson("The target couldn't be found.", swagger, true) });
  const requestedPull = (request: FakeRequest) => pulls.find((pull) => String(pull.number) === request.params['index']);

  /** Before validation, as Gitea's middleware: the proxy's rate limit, the token, the repository. */
  const authenticate = (request: FakeRequest): FakeAnswer | undefined => {
    const retryAfter = rateLimits.shift();
    if (retryAfter !== undefined) return { status: 429, headers: { 'retry-after': String(retryAfter) }, text: '429 Too Many Requests' };
    const [scheme, given] = (request.headers['authorization'] ?? '').split(' ');
    const signedIn = given === token && ['token', 'bearer'].includes(scheme?.toLowerCase() ?? '');
    if ((request.headers['authorization'] !== undefined && !signedIn) || (request.method !== 'GET' && !signedIn)) {
      return { status: 401, body: errorJson('token is required', swagger) };
    }
    const sameRepository = request.params['owner']?.toLowerCase() === owner.toLowerCase() && request.params['repo']?.toLowerCase() === repo.toLowerCase();
    return sameRepository ? undefined : notFound();
  };

  const createPull = (request: FakeRequest): FakeAnswer => {
    const { title, body, head, base } = request.body as { title: string; body?: string; head: string; base: string };
    if (head === base) return { status: 422, body: errorJson('Invalid PullRequest: There are no changes between the head and the base', swagger) };
    const existing = pulls.find((pull) => pull.state === 'open' && pull.head === head && pull.base === base);
    if (existing !== undefined) {
      const said = `pull request already exists for these targets [id: ${1000 + existing.number}, issue_id: ${existing.number}, head_repo_id: ${repository.id}, base_repo_id: ${repository.id}, head_branch: ${head}, base_branch: ${base}]`;
      return { status: 409, body: errorJson(said, swagger) };
    }
    const number = pulls.length + 1;
    const createdAt = now();
    const pull: FakePull = { number, title, body: body ?? '', head, base, state: 'open', headSha: fakeSha(`${head}#${number}`), createdAt, updatedAt: createdAt };
    pulls.push(pull);
    return { status: 201, body: pullJson(pull, repository, TOKEN_OWNER) };
  };

  /** `GET /pulls`: Gitea's state filter and sorts (`applySorts`); by default the newest first. */
  const listPulls = (request: FakeRequest): FakeAnswer => {
    const state = request.query['state'] ?? 'open';
    const listed = pulls.filter((pull) => state === 'all' || (state === 'open') === (pull.state === 'open'));
    const byRecentUpdate = (a: FakePull, b: FakePull) => b.updatedAt.localeCompare(a.updatedAt) || b.number - a.number;
    const sorted = request.query['sort'] === 'recentupdate' ? listed.sort(byRecentUpdate) : request.query['sort'] === 'oldest' ? listed : listed.reverse();
    const root = options.rootUrl ?? `${host.origin}/`;
    const link = (page: number, size: number) => {
      const next = new URL(request.url.pathname.slice(1), root);
      for (const [name, value] of request.url.searchParams) next.searchParams.set(name, value);
      next.searchParams.set('limit', String(size));
      next.searchParams.set('page', String(page));
      return next.toString();
    };
    const { items, headers } = pageOf(sorted, request, maxItems, link);
    return { status: 200, headers, body: items.map((pull) => pullJson(pull, repository, TOKEN_OWNER)) };
  };

  /** `GET /commits/{ref}/status`: the latest status of each context, newest first; Gitea's zero value for a commit without any. */
  const combinedStatus = (request: FakeRequest): FakeAnswer => {
    const ofCommit = statuses.filter((status) => status.sha === request.params['ref']);
    const latest = [...new Map(ofCommit.map((status) => [status.context, status])).values()].sort((a, b) => b.id - a.id);
    if (latest.length === 0) return { status: 200, body: { state: '', sha: '', total_count: 0, statuses: null, repository: null, commit_url: '', url: '' } };
    const { items, headers } = pageOf(latest, request, maxItems, null);
    const worst = (['failure', 'pending', 'success'] as const).find((state) => items.some((status) => status.state === state));
    const sha = request.params['ref'] as string;
    const body = { state: worst, sha, total_count: items.length, statuses: items.map((status) => statusJson(status, repository, TOKEN_OWNER)), repository: null, commit_url: `${repository.api}/commits/${sha}`, url: `${repository.api}/commits/${sha}/status` };
    return { status: 200, headers, body };
  };

  const listReviews = (request: FakeRequest): FakeAnswer => {
    const pull = requestedPull(request);
    if (pull === undefined) return notFound();
    const { items, headers } = pageOf(reviews.filter((review) => review.pull === pull.number), request, maxItems, null);
    return { status: 200, headers, body: items.map((review) => reviewJson(review, repository)) };
  };

  const reviewComments = (request: FakeRequest): FakeAnswer => {
    const review = reviews.find((candidate) => String(candidate.pull) === request.params['index'] && String(candidate.id) === request.params['id']);
    if (review === undefined) return notFound();
    return { status: 200, body: review.comments.map((comment) => inlineCommentJson(comment, review, repository)) };
  };

  // Gitea answers 500 for the comments of an issue that does not exist, which its spec does not
  // declare; the provider asks only after the reviews of the same number were found.
  const conversation = (request: FakeRequest): FakeAnswer => {
    const listed = issueComments.filter((comment) => String(comment.pull) === request.params['index']);
    return { status: 200, headers: { 'x-total-count': String(listed.length) }, body: listed.map((comment) => issueCommentJson(comment, repository)) };
  };

  const host = await startFakeHost({
    spec: giteaSpecWithErrorBodies(),
    basePath: options.basePath ?? GITEA_API_PATH,
    label: 'gitea',
    // Gitea sends null for every unset object and list (milestone, assignees, merged_by…); its spec marks none nullable.
    lenientNulls: true,
    authenticate,
    handlers: {
      repoCreatePullRequest: createPull,
      repoGetPullRequest: (request) => {
        const pull = requestedPull(request);
        return pull === undefined ? notFound() : { status: 200, body: pullJson(pull, repository, TOKEN_OWNER) };
      },
      repoListPullRequests: listPulls,
      repoGetCombinedStatusByRef: combinedStatus,
      repoListPullReviews: listReviews,
      repoGetPullReviewComments: reviewComments,
      issueGetComments: conversation,
    },
  });
  const webRoot = `${host.origin}${(options.basePath ?? GITEA_API_PATH).replace(/\/api\/v1\/?$/, '')}`;
  repository = { owner, repo, id: 4242, web: `${webRoot}/${owner}/${repo}`, api: `${host.url}/repos/${owner}/${repo}` };
  swagger = `${webRoot}/api/swagger`;

  return {
    apiBaseUrl: host.url,
    token,
    host,
    // As Gitea stores them: a draft's title keeps its "WIP: " prefix.
    pullRequests: () => pulls.map(({ number, head, base, state, title, body, headSha }) => ({ number, head, base, state, title, body, draft: isWorkInProgress(title), headSha })),
    setHeadSha(number, sha) {
      touch(Object.assign(pullOf(number), { headSha: sha }));
    },
    // One commit status, its context the check's name (default "ci / test (pull_request)").
    setChecks(number, state, check = {}) {
      const pull = pullOf(number);
      const id = statuses.length + 1;
      statuses.push({
        id,
        sha: pull.headSha,
        context: check.name ?? DEFAULT_CHECK,
        state,
        description: check.summary ?? CHECK_DESCRIPTIONS[state],
        targetUrl: `${repository.web}/actions/runs/${id}/jobs/0`,
        createdAt: now(),
      });
    },
    // With a path: a review holding one inline comment, as Gitea's "add single comment" makes; without: a conversation comment.
    addReviewComment(number, comment) {
      const pull = pullOf(number);
      const author = comment.author ?? 'reviewer';
      const createdAt = now();
      lastCommentId += 1;
      if (comment.path === undefined) {
        issueComments.push({ id: lastCommentId, pull: number, author, body: comment.body, createdAt });
      } else {
        const inline = { id: lastCommentId, author, body: comment.body, path: comment.path, line: comment.line ?? 1, createdAt };
        reviews.push({ id: reviews.length + 1, pull: number, author, commitId: pull.headSha, submittedAt: createdAt, comments: [inline] });
      }
      touch(pull);
    },
    merge(number) {
      touch(Object.assign(pullOf(number), { state: 'merged' as const }));
    },
    closePullRequest(number) {
      touch(Object.assign(pullOf(number), { state: 'closed' as const }));
    },
    rateLimitNext(retryAfterSeconds) {
      rateLimits = [...rateLimits, retryAfterSeconds];
    },
    close: () => host.close(),
  };
}
