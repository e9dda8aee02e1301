import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { providerContextOver, startFakeHost, type FakeAnswer, type FakeHandler, type FakeHost, type FakeRequest, type RecordingProviderContext, rejection } from '@forge-core/openapi-fake-host';
import type { RemoteRef } from '@forge-core/sdk';
import { github } from '../src/index.ts';
import { gitHubPage } from './support/github-pages.ts';
import { GITHUB_SPECS, loadGitHubSpec } from './support/github-spec.ts';

const TARGETS = [
  { name: 'GitHub.com (api.github.com)', spec: GITHUB_SPECS['api.github.com'], basePath: '' },
  // GHES serves the API under /api/v3 on its own host; 3.17 is the oldest release @octokit/openapi describes.
  { name: 'GitHub Enterprise Server 3.17', spec: GITHUB_SPECS['ghes-3.17'], basePath: '/api/v3' },
];

const TOKEN = `ghp_contract${randomUUID().replaceAll('-', '')}`;
const remote: RemoteRef = { host: 'github.com', owner: 'acme', repo: 'widgets' };
const HEAD_SHA = '9f2c4e1b7a3d5c8e0f1a2b3c4d5e6f708192a3b4';

type Sample = Record<string, any>;

/** A `pull-request` answer: the spec's sample with the fields the test is about. */
function pullRequestAnswer(host: FakeHost, operationId: string, fields: { number: number; state?: 'open' | 'closed'; merged?: boolean; draft?: boolean; head?: string; base?: string }): Sample {
  const sample: Sample = operationId === 'pulls/list' ? host.sample(operationId)[0] : host.sample(operationId);
  const merged = fields.merged ?? false;
  return {
    ...sample,
    number: fields.number,
    html_url: `https://github.com/acme/widgets/pull/${fields.number}`,
    state: fields.state ?? 'open',
    title: 'Add a greeting',
    draft: fields.draft ?? false,
    merged_at: merged ? '2025-03-05T08:00:00Z' : null,
    ...('merged' in sample ? { merged } : {}),
    head: { ...sample['head'], ref: fields.head ?? 'forge/1a2b3c4d-add-a-greeting', sha: HEAD_SHA },
    base: { ...sample['base'], ref: fields.base ?? 'main' },
  };
}

const gitHubError = (status: number, message: string, headers?: Record<string, string>): FakeAnswer => ({
  status,
  body: { message, documentation_url: 'https://docs.github.com/rest', status: String(status) },
  ...(headers === undefined ? {} : { headers }),
});

const alreadyExists: FakeAnswer = {
  status: 422,
  body: {
    message: 'Validation Failed',
    errors: [{ resource: 'PullRequest', code: 'custom', message: 'A pull request already exists for acme:forge/1a2b3c4d-add-a-greeting.' }],
    documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
  },
};

const requestsTo = (host: FakeHost, operationId: string) => host.requests.filter((request) => request.operationId === operationId);

for (const target of TARGETS) {
  describe(`github provider against ${target.name}'s OpenAPI description`, () => {
    let started: { host: FakeHost; ctx: RecordingProviderContext }[] = [];

    /** A fake GitHub validating against the target's spec, and a provider context aimed at it. */
    async function fakeGitHub(handlers: Record<string, FakeHandler>, options: { authenticate?: (request: FakeRequest) => FakeAnswer | undefined; token?: string | null } = {}) {
      const host = await startFakeHost({ spec: await loadGitHubSpec(target.spec), basePath: target.basePath, label: 'github', handlers, ...(options.authenticate ? { authenticate: options.authenticate } : {}) });
      const ctx = providerContextOver({ apiBaseUrl: host.url, token: options.token === undefined ? TOKEN : options.token });
      started.push({ host, ctx });
      return { host, ctx };
    }

    afterEach(async () => {
      const finished = started;
      started = [];
      try {
        for (const { host, ctx } of finished) {
          host.assertClean();
          const outside = ctx.sent.filter((request) => !request.url.startsWith(`${ctx.apiBaseUrl}/`));
          assert.deepEqual(outside, [], 'every request goes under ctx.apiBaseUrl');
        }
      } finally {
        await Promise.all(finished.map(({ host }) => host.close()));
      }
    });

    it('opens a pull request with the body and headers GitHub documents', async () => {
      const { host, ctx } = await fakeGitHub({
        'pulls/create': (request, fake) => ({ status: 201, body: pullRequestAnswer(fake, 'pulls/create', { number: 12, draft: (request.body as { draft: boolean }).draft }) }),
      });
      const opened = await github.createPullRequest({ remote, title: 'Add a greeting', body: 'Written by Forge.', head: 'forge/1a2b3c4d-add-a-greeting', base: 'main', draft: true }, ctx);
      assert.deepEqual(opened, {
        number: 12,
        url: 'https://github.com/acme/widgets/pull/12',
        state: 'open',
        title: 'Add a greeting',
        head: 'forge/1a2b3c4d-add-a-greeting',
        base: 'main',
        draft: true,
        headSha: HEAD_SHA,
      });
      const [request] = requestsTo(host, 'pulls/create');
      assert.deepEqual(request?.body, { title: 'Add a greeting', head: 'forge/1a2b3c4d-add-a-greeting', base: 'main', body: 'Written by Forge.', draft: true });
      assert.equal(request?.headers['authorization'], `Bearer ${TOKEN}`);
      assert.equal(request?.headers['accept'], 'application/vnd.github+json');
      assert.equal(request?.headers['x-github-api-version'], '2022-11-28');
    });

    it('sends no Authorization header when no token is configured', async () => {
      const { host, ctx } = await fakeGitHub({ 'pulls/get': (_request, fake) => ({ status: 200, body: pullRequestAnswer(fake, 'pulls/get', { number: 3 }) }) }, { token: null });
      await github.getPullRequest({ remote, number: 3 }, ctx);
      const [request] = requestsTo(host, 'pulls/get');
      assert.equal(request?.headers['authorization'], undefined);
      assert.equal(request?.headers['x-github-api-version'], '2022-11-28');
    });

    it("reads open, closed, merged and draft pull requests from GitHub's state and merged fields", async () => {
      const states: Record<string, Parameters<typeof pullRequestAnswer>[2]> = {
        '1': { number: 1 },
        '2': { number: 2, state: 'closed' },
        '3': { number: 3, state: 'closed', merged: true },
        '4': { number: 4, draft: true },
      };
      const { ctx } = await fakeGitHub({ 'pulls/get': (request, fake) => ({ status: 200, body: pullRequestAnswer(fake, 'pulls/get', states[request.params['pull_number'] as string]!) }) });
      const read = await Promise.all([1, 2, 3, 4].map((number) => github.getPullRequest({ remote, number }, ctx)));
      assert.deepEqual(
        read.map(({ state, draft }) => ({ state, draft })),
        [
          { state: 'open', draft: false },
          { state: 'closed', draft: false },
          { state: 'merged', draft: false },
          { state: 'open', draft: true },
        ],
      );
    });

    it('finds the newest pull request from a branch into a base, with the filter GitHub documents', async () => {
      const head = 'forge/1a2b c#d';
      const { host, ctx } = await fakeGitHub({
        'pulls/list': (request, fake) =>
          gitHubPage(
            request,
            request.query['base'] === 'main'
              ? [
                  pullRequestAnswer(fake, 'pulls/list', { number: 9, head, state: 'closed', merged: true }),
                  pullRequestAnswer(fake, 'pulls/list', { number: 4, head, state: 'closed' }),
                ]
              : [],
          ),
      });
      const found = await github.findPullRequest!({ remote, head, base: 'main' }, ctx);
      assert.deepEqual([found?.number, found?.state, found?.head], [9, 'merged', head]);
      assert.equal(await github.findPullRequest!({ remote, head, base: 'develop' }, ctx), null);
      const [request] = requestsTo(host, 'pulls/list');
      assert.deepEqual(request?.query, { state: 'all', head: `acme:${head}`, base: 'main', sort: 'created', direction: 'desc', per_page: '100' });
    });

    it('reads the checks of the head commit: check runs on every page, their annotations, and commit statuses', async () => {
      const runs = (fake: FakeHost) => {
        const sample = fake.sample('checks/list-for-ref').check_runs[0];
        const run = (id: number, name: string, conclusion: string | null, annotations = 0) => ({
          ...sample,
          id,
          name,
          head_sha: HEAD_SHA,
          html_url: `https://github.com/acme/widgets/actions/runs/1/job/${id}`,
          status: conclusion === null ? 'in_progress' : 'completed',
          conclusion,
          output: { ...sample.output, title: null, summary: null, text: null, annotations_count: annotations },
        });
        return [...Array.from({ length: 100 }, (_, index) => run(index + 1, `shard ${index + 1}`, 'success')), run(101, 'test (20.x)', 'failure', 1), run(102, 'deploy', null)];
      };
      const { host, ctx } = await fakeGitHub({
        'pulls/get': (_request, fake) => ({ status: 200, body: pullRequestAnswer(fake, 'pulls/get', { number: 12 }) }),
        'checks/list-for-ref': (request, fake) => gitHubPage(request, runs(fake), (page) => ({ total_count: 102, check_runs: page })),
        'checks/list-annotations': (request, fake) =>
          gitHubPage(request, [{ ...fake.sample('checks/list-annotations')[0], path: 'test/greeting.test.ts', start_line: 14, annotation_level: 'failure', title: null, message: 'expected Hi to equal Hello' }]),
        'repos/get-combined-status-for-ref': (request, fake) => {
          const sample = fake.sample('repos/get-combined-status-for-ref');
          const failing = { ...sample.statuses[0], context: 'ci/circleci', state: 'error', description: 'Your tests failed on CircleCI', target_url: 'https://circleci.com/gh/acme/widgets/88' };
          return gitHubPage(request, [failing], (statuses) => ({ ...sample, state: 'failure', sha: HEAD_SHA, total_count: 1, statuses }));
        },
      });
      const report = await github.getChecks!({ remote, number: 12 }, ctx);
      assert.equal(report.state, 'failure');
      assert.equal(report.sha, HEAD_SHA);
      assert.equal(report.checks.length, 103);
      assert.deepEqual(report.checks.slice(100), [
        { name: 'test (20.x)', state: 'failure', url: 'https://github.com/acme/widgets/actions/runs/1/job/101', summary: 'test/greeting.test.ts:14: expected Hi to equal Hello' },
        { name: 'deploy', state: 'pending', url: 'https://github.com/acme/widgets/actions/runs/1/job/102' },
        { name: 'ci/circleci', state: 'failure', url: 'https://circleci.com/gh/acme/widgets/88', summary: 'Your tests failed on CircleCI' },
      ]);
      assert.deepEqual(
        requestsTo(host, 'checks/list-for-ref').map((request) => [request.params['ref'], request.query['per_page'], request.query['page']]),
        [
          [HEAD_SHA, '100', undefined],
          [HEAD_SHA, '100', '2'],
        ],
      );
      assert.deepEqual(requestsTo(host, 'checks/list-annotations').map((request) => request.params['check_run_id']), ['101']);
    });

    it('lists every review comment on every page, oldest first, each id prefixed with its kind', async () => {
      const at = (minute: number) => new Date(Date.UTC(2025, 2, 4, 10, minute)).toISOString().replace('.000Z', 'Z');
      const { host, ctx } = await fakeGitHub({
        'pulls/list-review-comments': (request, fake) => {
          const sample = fake.sample('pulls/list-review-comments')[0];
          const comments = Array.from({ length: 250 }, (_, index) => ({ ...sample, id: 5000 + index, body: `diff ${index}`, path: 'src/greeting.ts', line: index + 1, created_at: at(2 * index + 1) }));
          return gitHubPage(request, comments);
        },
        'issues/list-comments': (request, fake) => {
          const sample = fake.sample('issues/list-comments')[0];
          return gitHubPage(request, Array.from({ length: 120 }, (_, index) => ({ ...sample, id: 9000 + index, body: `conversation ${index}`, created_at: at(2 * index) })));
        },
        'pulls/list-reviews': (request, fake) => {
          const sample = fake.sample('pulls/list-reviews')[0];
          return gitHubPage(request, [
            { ...sample, id: 70, body: 'Please split this.', state: 'CHANGES_REQUESTED', submitted_at: at(3) },
            { ...sample, id: 71, body: '', state: 'APPROVED', submitted_at: at(600) },
          ]);
        },
      });
      const comments = await github.listReviewComments!({ remote, number: 12 }, ctx);
      assert.equal(comments.length, 250 + 120 + 1);
      assert.deepEqual(
        comments.slice(0, 5).map(({ id, path, line }) => [id, path, line]),
        [
          ['issue:9000', undefined, undefined],
          ['review:5000', 'src/greeting.ts', 1],
          ['issue:9001', undefined, undefined],
          ['review:5001', 'src/greeting.ts', 2],
          ['review-summary:70', undefined, undefined],
        ],
      );
      const createdAt = comments.map((comment) => Date.parse(comment.createdAt));
      assert.deepEqual(createdAt, [...createdAt].sort((a, b) => a - b));
      assert.deepEqual(requestsTo(host, 'pulls/list-review-comments').map((request) => request.query['page']), [undefined, '2', '3']);
      assert.deepEqual(requestsTo(host, 'issues/list-comments').map((request) => request.query['page']), [undefined, '2']);
      assert.ok(host.requests.every((request) => request.query['per_page'] === '100'));
    });

    describe('failures', () => {
      const rateLimited = (retryAfter: string): FakeAnswer => gitHubError(429, 'You have exceeded a secondary rate limit.', { 'retry-after': retryAfter });
      const cases: {
        name: string;
        handlers: Record<string, FakeHandler>;
        authenticate?: (request: FakeRequest) => FakeAnswer | undefined;
        call: (ctx: RecordingProviderContext) => Promise<unknown>;
        code: string;
        status: number;
        retryAfterSeconds?: number;
      }[] = [
        {
          name: 'a token GitHub does not know (401)',
          handlers: {},
          authenticate: () => gitHubError(401, 'Bad credentials'),
          call: (ctx) => github.getPullRequest({ remote, number: 12 }, ctx),
          code: 'FORGE_PROVIDER_AUTH_FAILED',
          status: 401,
        },
        {
          name: 'a token without the permission (403)',
          handlers: { 'pulls/create': () => gitHubError(403, 'Resource not accessible by personal access token') },
          call: (ctx) => github.createPullRequest({ remote, title: 'Add a greeting', head: 'forge/x', base: 'main' }, ctx),
          code: 'FORGE_PROVIDER_AUTH_FAILED',
          status: 403,
        },
        {
          name: 'a missing pull request (404)',
          handlers: { 'pulls/get': () => gitHubError(404, 'Not Found') },
          call: (ctx) => github.getPullRequest({ remote, number: 404 }, ctx),
          code: 'FORGE_PROVIDER_NOT_FOUND',
          status: 404,
        },
        {
          name: 'comments of a missing pull request (404)',
          handlers: { 'pulls/list-review-comments': (request) => gitHubPage(request, []), 'issues/list-comments': () => gitHubError(404, 'Not Found') },
          call: (ctx) => github.listReviewComments!({ remote, number: 404 }, ctx),
          code: 'FORGE_PROVIDER_NOT_FOUND',
          status: 404,
        },
        {
          // GitHub declares no 409 for these operations: its conflict is this 422.
          name: 'a pull request that already exists for the branch (GitHub\'s conflict, 422)',
          handlers: { 'pulls/create': () => alreadyExists },
          call: (ctx) => github.createPullRequest({ remote, title: 'Add a greeting', head: 'forge/1a2b3c4d-add-a-greeting', base: 'main' }, ctx),
          code: 'FORGE_PROVIDER_REJECTED',
          status: 422,
        },
        {
          name: 'a branch with no commits over its base (422)',
          handlers: {
            'pulls/create': () => ({
              status: 422,
              body: { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: 'No commits between main and forge/x' }], documentation_url: 'https://docs.github.com/rest' },
            }),
          },
          call: (ctx) => github.createPullRequest({ remote, title: 'Add a greeting', head: 'forge/x', base: 'main' }, ctx),
          code: 'FORGE_PROVIDER_REJECTED',
          status: 422,
        },
        {
          name: 'a secondary rate limit (429 with Retry-After)',
          handlers: {},
          authenticate: () => rateLimited('42'),
          call: (ctx) => github.findPullRequest!({ remote, head: 'forge/x', base: 'main' }, ctx),
          code: 'FORGE_PROVIDER_RATE_LIMITED',
          status: 429,
          retryAfterSeconds: 42,
        },
        {
          name: 'a secondary rate limit on content creation (403 with Retry-After)',
          handlers: { 'pulls/create': () => gitHubError(403, 'You have exceeded a secondary rate limit and have been temporarily blocked from content creation.', { 'retry-after': '60' }) },
          call: (ctx) => github.createPullRequest({ remote, title: 'Add a greeting', head: 'forge/x', base: 'main' }, ctx),
          code: 'FORGE_PROVIDER_RATE_LIMITED',
          status: 403,
          retryAfterSeconds: 60,
        },
        {
          name: 'the primary rate limit used up (403, x-ratelimit-remaining 0)',
          handlers: {},
          authenticate: () => gitHubError(403, 'API rate limit exceeded for user ID 1.', { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1741082400' }),
          call: (ctx) => github.getChecks!({ remote, number: 12 }, ctx),
          code: 'FORGE_PROVIDER_RATE_LIMITED',
          status: 403,
        },
      ];

      for (const failure of cases) {
        it(`maps ${failure.name} to ${failure.code}, naming the repository and never the token`, async () => {
          const { ctx } = await fakeGitHub(failure.handlers, failure.authenticate ? { authenticate: failure.authenticate } : {});
          const error = await rejection(failure.call(ctx));
          assert.equal(error.code, failure.code, error.message);
          assert.equal(error.details?.['status'], failure.status);
          if (failure.retryAfterSeconds !== undefined) assert.equal(error.details?.['retryAfterSeconds'], failure.retryAfterSeconds);
          assert.match(error.message, /acme\/widgets/);
          assert.ok(!`${error.message} ${JSON.stringify(error.details)} ${error.stack}`.includes(TOKEN), 'the token shows in the error');
        });
      }
    });

    it('does not follow a next page on another origin, so the token stays with ctx.apiBaseUrl', async () => {
      const { host, ctx } = await fakeGitHub({
        'pulls/list-review-comments': (request) => {
          const elsewhere = new URL(request.url);
          elsewhere.hostname = 'localhost';
          elsewhere.searchParams.set('page', '2');
          return { ...gitHubPage(request, []), headers: { link: `<${elsewhere}>; rel="next"` } };
        },
      });
      const error = await rejection(github.listReviewComments!({ remote, number: 12 }, ctx));
      assert.equal(error.code, 'FORGE_PROVIDER_FAILED');
      assert.match(error.message, /another origin/);
      assert.equal(host.requests.length, 1);
    });
  });
}
