import { createHash, randomUUID } from 'node:crypto';
import { startFakeHost, type FakeAnswer, type FakeRequest, type ProviderFake } from '@forge-core/openapi-fake-host';
import { account, comment, commitStatus, page, pullRequest, type CommitStatusState, type PullRequestState, type Site } from './bitbucket-objects.ts';
import { BASE_PATH, bitbucketSpec, errorAnswer } from './bitbucket-spec.ts';

/** For this pack's tests: one interface for all four fakes, since the core's end-to-end test drives them alike. */
export type { ProviderFake };

const OPERATIONS = {
  create: 'POST /repositories/{workspace}/{repo_slug}/pullrequests',
  list: 'GET /repositories/{workspace}/{repo_slug}/pullrequests',
  get: 'GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}',
  statuses: 'GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/statuses',
  comments: 'GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/comments',
} as const;

/** Bitbucket's page size when a request names none. */
const DEFAULT_PAGE_SIZE = 10;
/** Bitbucket's answer to too many requests (its "Rate limit troubleshooting" article). */
const RATE_LIMIT_MESSAGE = 'Rate limit for this resource has been exceeded';

interface StoredPullRequest {
  id: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: PullRequestState;
  headSha: string;
  createdOn: string;
  updatedOn: string;
  mergeSha?: string;
}

interface StoredComment {
  id: number;
  pullRequestId: number;
  body: string;
  author: string;
  createdOn: string;
  path?: string;
  line?: number;
}

interface StoredStatus {
  key: string;
  name: string;
  state: CommitStatusState;
  description: string;
  createdOn: string;
  updatedOn: string;
}

const CONTRACT_STATE: Record<PullRequestState, 'open' | 'closed' | 'merged'> = { OPEN: 'open', MERGED: 'merged', DECLINED: 'closed', SUPERSEDED: 'closed' };
const STATUS_STATE: Record<'pending' | 'success' | 'failure', CommitStatusState> = { pending: 'INPROGRESS', success: 'SUCCESSFUL', failure: 'FAILED' };
const STATUS_TEXT: Record<'pending' | 'success' | 'failure', string> = { pending: 'Build in progress', success: 'Build passed', failure: 'Build failed' };

const fakeSha = (seed: string) => createHash('sha1').update(seed).digest('hex');
const SHORT_HASH = 12;

/**
 * A stateful Bitbucket Cloud for tests: pull requests, build statuses and comments of one
 * repository kept in memory, served through the fake host so every request and answer is checked
 * against Bitbucket's 2.0 description.
 */
export async function startFakeBitbucket(options: { token?: string; owner?: string; repo?: string } = {}): Promise<ProviderFake> {
  const token = options.token ?? `bitbucket-fake-token-${randomUUID()}`;
  const workspace = options.owner ?? 'acme';
  const repo = options.repo ?? 'widgets';
  const pullRequests: StoredPullRequest[] = [];
  const comments: StoredComment[] = [];
  const statusesByCommit = new Map<string, Map<string, StoredStatus>>();
  let rateLimitSeconds: number | null = null;
  let nextCommentId = 1;
  // A clock of its own, one second per change, so creation order is the order of the calls.
  let clock = Date.parse('2025-03-04T10:00:00Z');
  const now = () => new Date((clock += 1000)).toISOString().replace('Z', '+00:00');

  let site: Site;
  const bot = account('Forge Bot', 'forge-bot');
  const toBody = (pr: StoredPullRequest) =>
    pullRequest(site, {
      id: pr.id,
      title: pr.title,
      description: pr.body,
      state: pr.state,
      draft: false,
      head: pr.head,
      headSha: pr.headSha.slice(0, SHORT_HASH),
      base: pr.base,
      baseSha: fakeSha(`base:${pr.base}`).slice(0, SHORT_HASH),
      createdOn: pr.createdOn,
      updatedOn: pr.updatedOn,
      ...(pr.mergeSha === undefined ? {} : { mergeSha: pr.mergeSha.slice(0, SHORT_HASH) }),
      author: bot,
    });

  const repositoryMissing = (request: FakeRequest) =>
    request.params['workspace'] !== workspace || request.params['repo_slug'] !== repo
      ? errorAnswer(request.operationId, 404, `Repository ${request.params['workspace']}/${request.params['repo_slug']} not found`)
      : undefined;
  /** The answer about the addressed pull request, or Bitbucket's 404 for a repository or pull request it does not have. */
  const forPullRequest = (request: FakeRequest, answer: (pr: StoredPullRequest) => FakeAnswer): FakeAnswer => {
    const missing = repositoryMissing(request);
    if (missing !== undefined) return missing;
    const pr = pullRequests.find((candidate) => String(candidate.id) === request.params['pull_request_id']);
    return pr === undefined ? errorAnswer(request.operationId, 404, `Pull request ${request.params['pull_request_id']} not found`) : answer(pr);
  };

  /** One page as Bitbucket pages: `pagelen` items from `page`, and a `next` URL carrying the same query. */
  const paged = (request: FakeRequest, items: readonly unknown[]): FakeAnswer => {
    const pagelen = Number(request.query['pagelen'] ?? DEFAULT_PAGE_SIZE);
    const pageNumber = Number(request.query['page'] ?? 1);
    const start = (pageNumber - 1) * pagelen;
    const next = new URL(request.url);
    next.searchParams.set('page', String(pageNumber + 1));
    const more = start + pagelen < items.length;
    return { status: 200, body: page(items.slice(start, start + pagelen), { page: pageNumber, pagelen, size: items.length, ...(more ? { next: next.toString() } : {}) }) };
  };

  const handlers = {
    [OPERATIONS.create]: (request: FakeRequest): FakeAnswer => {
      const missing = repositoryMissing(request);
      if (missing !== undefined) return missing;
      const input = request.body as { title?: string; description?: string; source?: { branch?: { name?: string } }; destination?: { branch?: { name?: string } } };
      const head = input.source?.branch?.name;
      const base = input.destination?.branch?.name ?? 'main';
      if (typeof head !== 'string' || head === '') return errorAnswer(request.operationId, 400, 'source: This field is required.');
      if (typeof input.title !== 'string' || input.title === '') return errorAnswer(request.operationId, 400, 'title: This field is required.');
      // A second open pull request for the same source and destination is refused with a 400, the
      // refusal the description declares for this POST. What Bitbucket Cloud itself answers is
      // not documented there; the wording is this fake's, not quoted from Atlassian.
      if (pullRequests.some((pr) => pr.state === 'OPEN' && pr.head === head && pr.base === base)) {
        return errorAnswer(request.operationId, 400, `There is already an open pull request from ${head} to ${base}.`);
      }
      const created = now();
      const pr: StoredPullRequest = { id: pullRequests.length + 1, title: input.title, body: input.description ?? '', head, base, state: 'OPEN', headSha: fakeSha(`head:${head}`), createdOn: created, updatedOn: created };
      pullRequests.push(pr);
      return { status: 201, body: toBody(pr), headers: { location: `${site.apiBaseUrl}/repositories/${workspace}/${repo}/pullrequests/${pr.id}` } };
    },
    [OPERATIONS.list]: (request: FakeRequest): FakeAnswer => {
      const missing = repositoryMissing(request);
      if (missing !== undefined) return missing;
      // Only open pull requests unless `state` asks for another.
      const state = (request.query['state'] as PullRequestState | undefined) ?? 'OPEN';
      return paged(request, pullRequests.filter((pr) => pr.state === state).map(toBody));
    },
    [OPERATIONS.get]: (request: FakeRequest): FakeAnswer => forPullRequest(request, (pr) => ({ status: 200, body: toBody(pr) })),
    [OPERATIONS.statuses]: (request: FakeRequest): FakeAnswer =>
      forPullRequest(request, (pr) => {
        const statuses = [...(statusesByCommit.get(pr.headSha)?.values() ?? [])];
        const url = (status: StoredStatus) => `${site.webOrigin}/${workspace}/${repo}/pipelines/results/${encodeURIComponent(status.key)}`;
        return paged(request, statuses.map((status) => commitStatus(site, { ...status, url: url(status), commit: pr.headSha })));
      }),
    [OPERATIONS.comments]: (request: FakeRequest): FakeAnswer =>
      forPullRequest(request, (pr) => {
        const ofPullRequest = comments.filter((stored) => stored.pullRequestId === pr.id);
        return paged(
          request,
          ofPullRequest.map((stored) =>
            comment(site, {
              id: stored.id,
              pullRequestId: pr.id,
              raw: stored.body,
              createdOn: stored.createdOn,
              author: account(stored.author, stored.author.toLowerCase().replace(/\W+/g, '-')),
              ...(stored.path === undefined ? {} : { path: stored.path }),
              ...(stored.line === undefined ? {} : { to: stored.line }),
            }),
          ),
        );
      }),
  };

  const host = await startFakeHost({
    spec: bitbucketSpec(),
    basePath: BASE_PATH,
    label: 'bitbucket',
    handlers,
    authenticate(request) {
      if (rateLimitSeconds !== null) {
        const seconds = rateLimitSeconds;
        rateLimitSeconds = null;
        return errorAnswer(request.operationId, 429, RATE_LIMIT_MESSAGE, { 'retry-after': String(seconds) });
      }
      // Access tokens are bearer tokens; anything else is refused as Bitbucket does, with a 401.
      return request.headers['authorization'] === `Bearer ${token}` ? undefined : errorAnswer(request.operationId, 401, 'Access token expired or invalid.');
    },
  });
  site = { apiBaseUrl: host.url, webOrigin: 'https://bitbucket.org', workspace, repo };

  const stored = (number: number) => {
    const pr = pullRequests.find((candidate) => candidate.id === number);
    if (pr === undefined) throw new Error(`fake Bitbucket: no pull request #${number} (it has ${pullRequests.map((candidate) => `#${candidate.id}`).join(', ') || 'none'})`);
    return pr;
  };
  const end = (number: number, state: 'MERGED' | 'DECLINED') => {
    const pr = stored(number);
    if (pr.state !== 'OPEN') throw new Error(`fake Bitbucket: pull request #${number} is ${pr.state}, not OPEN`);
    Object.assign(pr, { state, updatedOn: now() }, state === 'MERGED' ? { mergeSha: fakeSha(`merge:${pr.id}:${pr.headSha}`) } : {});
  };

  return {
    apiBaseUrl: host.url,
    token,
    host,
    // `headSha` is the full hash; Bitbucket's answers carry its first 12 characters, as the real host does.
    pullRequests: () =>
      pullRequests.map((pr) => ({ number: pr.id, head: pr.head, base: pr.base, state: CONTRACT_STATE[pr.state], title: pr.title, body: pr.body, draft: false, headSha: pr.headSha })),
    setHeadSha(number, sha) {
      if (!/^[0-9a-f]{12,40}$/.test(sha)) throw new Error(`fake Bitbucket: a head sha is 12 to 40 lowercase hex digits, received ${JSON.stringify(sha)}`);
      Object.assign(stored(number), { headSha: sha, updatedOn: now() });
    },
    // One build status per name on the commit, replaced when set again: Bitbucket keys statuses per commit.
    setChecks(number, state, { name = 'CI', summary } = {}) {
      const sha = stored(number).headSha;
      const statuses = statusesByCommit.get(sha) ?? new Map<string, StoredStatus>();
      statusesByCommit.set(sha, statuses);
      const key = name.toUpperCase().replace(/[^A-Z0-9]+/g, '-');
      const at = now();
      statuses.set(key, { key, name, state: STATUS_STATE[state], description: summary ?? STATUS_TEXT[state], createdOn: statuses.get(key)?.createdOn ?? at, updatedOn: at });
    },
    addReviewComment(number, { body, path, line, author = 'Ana Souza' }) {
      stored(number);
      comments.push({ id: nextCommentId++, pullRequestId: number, body, author, createdOn: now(), ...(path === undefined ? {} : { path }), ...(line === undefined ? {} : { line }) });
    },
    merge: (number) => end(number, 'MERGED'),
    closePullRequest: (number) => end(number, 'DECLINED'),
    rateLimitNext(retryAfterSeconds) {
      rateLimitSeconds = retryAfterSeconds;
    },
    close: () => host.close(),
  };
}
