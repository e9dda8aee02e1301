import { createHash, randomUUID } from 'node:crypto';
import { startFakeHost, type FakeAnswer, type FakeHandler, type FakeHost, type FakeRequest, type ProviderFake } from '@forge-core/openapi-fake-host';
import { gitHubPage } from './github-pages.ts';
import { GITHUB_SPECS, loadGitHubSpec } from './github-spec.ts';

/** For this pack's tests: one interface for all four fakes, since the core's end-to-end test drives them alike. */
export type { ProviderFake };

interface FakePullRequest {
  number: number;
  head: string;
  base: string;
  state: 'open' | 'closed' | 'merged';
  title: string;
  body: string;
  draft: boolean;
  headSha: string;
  createdAt: string;
  closedAt: string | null;
}

interface FakeCheckRun {
  id: number;
  name: string;
  state: 'pending' | 'success' | 'failure';
  summary: string | undefined;
  at: string;
}

interface FakeComment {
  id: number;
  number: number;
  body: string;
  path: string | undefined;
  line: number | undefined;
  author: string;
  createdAt: string;
}

const DOCS = 'https://docs.github.com/rest';

/** GitHub's error body (`basic-error`). */
const error = (status: number, message: string, headers?: Record<string, string>): FakeAnswer => ({
  status,
  body: { message, documentation_url: DOCS, status: String(status) },
  ...(headers === undefined ? {} : { headers }),
});

/** A made-up commit id that looks like git's. */
const shaOf = (seed: string) => createHash('sha1').update(seed).digest('hex');

/**
 * Starts the fake on 127.0.0.1, serving GitHub's operations the provider uses, each request and
 * answer validated against GitHub's OpenAPI description. Timestamps come from a counter, one second
 * apart from 2025-01-01, so the order of events never depends on the wall clock.
 */
export async function startFakeGitHub(options: { token?: string; owner?: string; repo?: string } = {}): Promise<ProviderFake> {
  const token = options.token ?? `ghp_fake${randomUUID().replaceAll('-', '')}`;
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'widgets';
  const pulls = new Map<number, FakePullRequest>();
  const checksBySha = new Map<string, Map<string, FakeCheckRun>>();
  const comments: FakeComment[] = [];
  let nextNumber = 1;
  let nextId = 1000;
  let tick = 0;
  let rateLimitSeconds: number | null = null;
  const now = () => new Date(Date.UTC(2025, 0, 1) + 1000 * tick++).toISOString().replace('.000Z', 'Z');

  let host: FakeHost;
  const webUrl = (path: string) => `${host.origin}/${owner}/${repo}${path}`;
  const apiUrl = (path: string) => `${host.url}/repos/${owner}/${repo}${path}`;

  const pullOf = (request: FakeRequest, param = 'pull_number'): FakePullRequest | undefined => pulls.get(Number(request.params[param]));

  // The spec's sample of each answer, made once: sampling a pull request takes tens of milliseconds, and a test polls.
  const samples = new Map<string, any>();
  const sampleOf = (operationId: string) => {
    if (!samples.has(operationId)) samples.set(operationId, host.sample(operationId));
    return samples.get(operationId);
  };

  const userOf = (login: string) => ({ ...sampleOf('pulls/get').user, login });

  /** The fields GitHub's `pull-request` and `pull-request-simple` share, over the spec's sample of either. */
  function pullRequestFields(pr: FakePullRequest, sample: Record<string, any>): Record<string, unknown> {
    return {
      ...sample,
      id: 100_000 + pr.number,
      number: pr.number,
      url: apiUrl(`/pulls/${pr.number}`),
      html_url: webUrl(`/pull/${pr.number}`),
      state: pr.state === 'open' ? 'open' : 'closed',
      title: pr.title,
      body: pr.body,
      draft: pr.draft,
      created_at: pr.createdAt,
      updated_at: pr.closedAt ?? pr.createdAt,
      closed_at: pr.closedAt,
      merged_at: pr.state === 'merged' ? pr.closedAt : null,
      head: { ...sample['head'], label: `${owner}:${pr.head}`, ref: pr.head, sha: pr.headSha },
      base: { ...sample['base'], label: `${owner}:${pr.base}`, ref: pr.base, sha: shaOf(pr.base) },
    };
  }

  /** A `pull-request` answer (get, create): the list's fields and whether, and by whom, it was merged. */
  function pullRequestBody(pr: FakePullRequest, operationId: 'pulls/get' | 'pulls/create'): Record<string, unknown> {
    const merged = pr.state === 'merged';
    return { ...pullRequestFields(pr, sampleOf(operationId)), merged, merged_by: merged ? userOf(owner) : null };
  }

  function checkRunBody(run: FakeCheckRun, sha: string): Record<string, unknown> {
    const sample = sampleOf('checks/list-for-ref').check_runs[0];
    const completed = run.state !== 'pending';
    return {
      ...sample,
      id: run.id,
      name: run.name,
      head_sha: sha,
      url: apiUrl(`/check-runs/${run.id}`),
      html_url: webUrl(`/actions/runs/${run.id}/job/${run.id}`),
      details_url: webUrl(`/actions/runs/${run.id}/job/${run.id}`),
      status: completed ? 'completed' : 'in_progress',
      conclusion: completed ? run.state : null,
      started_at: run.at,
      completed_at: completed ? run.at : null,
      output: {
        title: run.state === 'failure' ? `${run.name} failed` : null,
        summary: run.summary ?? null,
        text: null,
        annotations_count: 0,
        annotations_url: apiUrl(`/check-runs/${run.id}/annotations`),
      },
      pull_requests: [],
    };
  }

  function diffCommentBody(comment: FakeComment): Record<string, unknown> {
    const sample = sampleOf('pulls/list-review-comments')[0];
    return {
      ...sample,
      id: comment.id,
      url: apiUrl(`/pulls/comments/${comment.id}`),
      html_url: webUrl(`/pull/${comment.number}#discussion_r${comment.id}`),
      pull_request_url: apiUrl(`/pulls/${comment.number}`),
      user: userOf(comment.author),
      body: comment.body,
      path: comment.path,
      line: comment.line ?? 1,
      original_line: comment.line ?? 1,
      created_at: comment.createdAt,
      updated_at: comment.createdAt,
    };
  }

  function conversationCommentBody(comment: FakeComment): Record<string, unknown> {
    const sample = sampleOf('issues/list-comments')[0];
    return {
      ...sample,
      id: comment.id,
      url: apiUrl(`/issues/comments/${comment.id}`),
      html_url: webUrl(`/pull/${comment.number}#issuecomment-${comment.id}`),
      issue_url: apiUrl(`/issues/${comment.number}`),
      user: userOf(comment.author),
      body: comment.body,
      created_at: comment.createdAt,
      updated_at: comment.createdAt,
    };
  }

  /** GitHub answers 404 for a repository a token cannot see, and for a pull request that does not exist. */
  const withPull = (param: string, answer: (pr: FakePullRequest, request: FakeRequest) => FakeAnswer): FakeHandler => (request) => {
    const pr = pullOf(request, param);
    return pr === undefined ? error(404, 'Not Found') : answer(pr, request);
  };

  const handlers: Record<string, FakeHandler> = {
    'pulls/create'(request) {
      const input = request.body as { title: string; head: string; base: string; body?: string; draft?: boolean };
      const existing = [...pulls.values()].find((pr) => pr.state === 'open' && pr.head === input.head && pr.base === input.base);
      if (existing !== undefined) {
        return {
          status: 422,
          body: {
            message: 'Validation Failed',
            errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${input.head}.` }],
            documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
            status: '422',
          },
        };
      }
      const number = nextNumber++;
      const pr: FakePullRequest = {
        number,
        head: input.head,
        base: input.base,
        state: 'open',
        title: input.title,
        body: input.body ?? '',
        draft: input.draft ?? false,
        headSha: shaOf(`${input.head}#${number}`),
        createdAt: now(),
        closedAt: null,
      };
      pulls.set(number, pr);
      return { status: 201, body: pullRequestBody(pr, 'pulls/create'), headers: { location: apiUrl(`/pulls/${number}`) } };
    },
    'pulls/get': withPull('pull_number', (pr) => ({ status: 200, body: pullRequestBody(pr, 'pulls/get') })),
    'pulls/list'(request) {
      const { state = 'open', head, base } = request.query as Record<string, string | undefined>;
      // `head` is "owner:branch"; GitHub ignores a value without the owner and lists every pull request.
      const colon = head?.indexOf(':') ?? -1;
      const headOwner = colon === -1 ? undefined : head?.slice(0, colon).toLowerCase();
      const headBranch = colon === -1 ? undefined : head?.slice(colon + 1);
      const listed = [...pulls.values()]
        .filter((pr) => state === 'all' || (state === 'open') === (pr.state === 'open'))
        .filter((pr) => headBranch === undefined || (headOwner === owner.toLowerCase() && pr.head === headBranch))
        .filter((pr) => base === undefined || pr.base === base)
        .sort((a, b) => b.number - a.number);
      return gitHubPage(request, listed.map((pr) => pullRequestFields(pr, sampleOf('pulls/list')[0])));
    },
    'checks/list-for-ref'(request) {
      const sha = request.params['ref'] as string;
      const runs = [...(checksBySha.get(sha)?.values() ?? [])].map((run) => checkRunBody(run, sha));
      return gitHubPage(request, runs, (page) => ({ total_count: runs.length, check_runs: page }));
    },
    'checks/list-annotations': (request) => gitHubPage(request, []),
    // Checks here are check runs, as GitHub Actions reports them; no commit status is ever posted.
    'repos/get-combined-status-for-ref'(request) {
      const sha = request.params['ref'] as string;
      const sample = sampleOf('repos/get-combined-status-for-ref');
      return gitHubPage(request, [], (statuses) => ({ ...sample, state: 'pending', sha, total_count: 0, statuses, url: apiUrl(`/commits/${sha}/status`), commit_url: apiUrl(`/commits/${sha}`) }));
    },
    'pulls/list-review-comments': withPull('pull_number', (pr, request) =>
      gitHubPage(request, comments.filter((comment) => comment.number === pr.number && comment.path !== undefined).map(diffCommentBody)),
    ),
    'issues/list-comments': withPull('issue_number', (pr, request) =>
      gitHubPage(request, comments.filter((comment) => comment.number === pr.number && comment.path === undefined).map(conversationCommentBody)),
    ),
    'pulls/list-reviews': withPull('pull_number', (_pr, request) => gitHubPage(request, [])),
  };

  host = await startFakeHost({
    spec: await loadGitHubSpec(GITHUB_SPECS['api.github.com']),
    label: 'github',
    handlers,
    authenticate(request) {
      if (rateLimitSeconds !== null) {
        const seconds = rateLimitSeconds;
        rateLimitSeconds = null;
        // A secondary rate limit: 429 (or 403) with Retry-After, as GitHub documents it.
        return error(429, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', { 'retry-after': String(seconds) });
      }
      const authorization = request.headers['authorization'];
      // GitHub hides a private repository from a request without a token; a wrong token is refused outright.
      if (authorization === undefined) return error(404, 'Not Found');
      if (authorization !== `Bearer ${token}` && authorization !== `token ${token}`) return error(401, 'Bad credentials');
      const { owner: askedOwner, repo: askedRepo } = request.params;
      if (askedOwner?.toLowerCase() !== owner.toLowerCase() || askedRepo?.toLowerCase() !== repo.toLowerCase()) return error(404, 'Not Found');
      return undefined;
    },
  });

  const pullRequest = (number: number): FakePullRequest => {
    const pr = pulls.get(number);
    if (pr === undefined) throw new Error(`fake GitHub: there is no pull request #${number}`);
    return pr;
  };

  return {
    apiBaseUrl: host.url,
    token,
    host,
    pullRequests: () => [...pulls.values()].map(({ createdAt: _created, closedAt: _closed, ...pr }) => ({ ...pr })),
    setHeadSha(number, sha) {
      pullRequest(number).headSha = sha;
    },
    setChecks(number, state, checkOptions = {}) {
      const sha = pullRequest(number).headSha;
      const name = checkOptions.name ?? 'ci';
      const runs = checksBySha.get(sha) ?? new Map<string, FakeCheckRun>();
      runs.set(name, { id: nextId++, name, state, summary: checkOptions.summary, at: now() });
      checksBySha.set(sha, runs);
    },
    addReviewComment(number, comment) {
      pullRequest(number);
      comments.push({ id: nextId++, number, body: comment.body, path: comment.path, line: comment.line, author: comment.author ?? 'octocat', createdAt: now() });
    },
    merge(number) {
      const pr = pullRequest(number);
      pr.state = 'merged';
      pr.closedAt = now();
    },
    closePullRequest(number) {
      const pr = pullRequest(number);
      pr.state = 'closed';
      pr.closedAt = now();
    },
    rateLimitNext(retryAfterSeconds) {
      rateLimitSeconds = retryAfterSeconds;
    },
    close: () => host.close(),
  };
}
