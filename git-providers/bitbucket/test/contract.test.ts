import assert from 'node:assert/strict';
import { providerContextOver, startFakeHost, type FakeAnswer, type FakeHandler, type FakeHost, type FakeRequest, type RecordingProviderContext, rejection } from '@forge-core/openapi-fake-host';
import type { ForgeErrorCode, ProviderContext, RemoteRef } from '@forge-core/sdk';
import { bitbucket } from '../src/index.ts';
import { account, comment, commitStatus, page, pullRequest, type PullRequestFields, type Site } from './support/bitbucket-objects.ts';
import { BASE_PATH, bitbucketSpec, errorAnswer } from './support/bitbucket-spec.ts';

const CREATE = 'POST /repositories/{workspace}/{repo_slug}/pullrequests';
const LIST = 'GET /repositories/{workspace}/{repo_slug}/pullrequests';
const GET = 'GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}';
const STATUSES = 'GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/statuses';
const COMMENTS = 'GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/comments';

const TOKEN = 'bitbucket-contract-token-5f0c9e2a7b';
const remote: RemoteRef = { host: 'bitbucket.org', owner: 'acme', repo: 'widgets' };
const HEAD = 'forge/1a2b3c4d-add-a-greeting';
const HEAD_SHA = '9f2c4e1b7a3d5c6e8f90a1b2c3d4e5f6a7b8c9d0';
const ana = account('Ana Souza', 'asouza');

let host: FakeHost;
let site: Site;
/** What the host's gate answers instead of the handlers, while set. */
let gate: ((request: FakeRequest) => FakeAnswer | undefined) | undefined;

/** The fake Bitbucket for one test; access tokens are bearer tokens, anything else gets the host's 401. */
async function serve(handlers: Record<string, FakeHandler>): Promise<RecordingProviderContext> {
  host = await startFakeHost({
    spec: bitbucketSpec(),
    basePath: BASE_PATH,
    label: 'bitbucket',
    handlers,
    authenticate: (request) =>
      request.headers['authorization'] === `Bearer ${TOKEN}` ? gate?.(request) : errorAnswer(request.operationId, 401, 'Access token expired or invalid.'),
  });
  site = { apiBaseUrl: host.url, webOrigin: 'https://bitbucket.org', workspace: 'acme', repo: 'widgets' };
  return providerContextOver({ apiBaseUrl: host.url, token: TOKEN });
}

const fields = (overrides: Partial<PullRequestFields>): PullRequestFields => ({
  id: 12,
  title: 'Add a greeting',
  description: 'Written by Forge attempt 1a2b3c4d.',
  state: 'OPEN',
  draft: false,
  head: HEAD,
  headSha: HEAD_SHA.slice(0, 12),
  base: 'main',
  baseSha: '41d0b7a3c2e1',
  createdOn: '2025-03-04T10:21:06.146021+00:00',
  updatedOn: '2025-03-04T10:21:06.342118+00:00',
  author: ana,
  ...overrides,
});

/** Serves `items` two per page, whatever page size was asked, so a short list still spans pages. */
function twoPerPage(items: (request: FakeRequest) => unknown[]): FakeHandler {
  return (request) => {
    const all = items(request);
    const number = Number(request.query['page'] ?? 1);
    const next = new URL(request.url);
    next.searchParams.set('page', String(number + 1));
    const more = number * 2 < all.length;
    return { status: 200, body: page(all.slice((number - 1) * 2, number * 2), { page: number, pagelen: 2, size: all.length, ...(more ? { next: next.toString() } : {}) }) };
  };
}

function assertStayedUnderApiRoot(ctx: RecordingProviderContext): void {
  assert.ok(ctx.sent.length > 0, 'the provider made no request');
  for (const request of ctx.sent) assert.ok(request.url.startsWith(`${host.url}/`), `${request.method} ${request.url} left ctx.apiBaseUrl ${host.url}`);
}

/**
 * A test body that must leave the fake host clean: every request it was sent and every answer it
 * gave held to the description. Checked in the test itself, so a problem fails that test alone.
 */
const clean = (body: () => Promise<void>) => async () => {
  await body();
  host.assertClean();
};

describe('bitbucket provider against the Bitbucket Cloud 2.0 description', () => {
  afterEach(async () => {
    gate = undefined;
    await host.close();
  });

  describe('createPullRequest', () => {
    it('posts the pull request the description takes, with the access token as a bearer token', clean(async () => {
      const ctx = await serve({ [CREATE]: (request) => ({ status: 201, body: pullRequest(site, fields({ title: (request.body as { title: string }).title })) }) });
      const created = await bitbucket.createPullRequest({ remote, title: 'Add a greeting', body: 'Written by Forge attempt 1a2b3c4d.', head: HEAD, base: 'main' }, ctx);
      assert.deepEqual(created, { number: 12, url: 'https://bitbucket.org/acme/widgets/pull-requests/12', state: 'open', title: 'Add a greeting', head: HEAD, base: 'main', draft: false, headSha: HEAD_SHA.slice(0, 12) });
      const [sent] = host.requests;
      assert.deepEqual(sent?.body, { type: 'pullrequest', title: 'Add a greeting', description: 'Written by Forge attempt 1a2b3c4d.', source: { branch: { name: HEAD } }, destination: { branch: { name: 'main' } } });
      assert.equal(sent?.headers['authorization'], `Bearer ${TOKEN}`);
      assertStayedUnderApiRoot(ctx);
    }));

    it('sends no Authorization header when no token is configured', clean(async () => {
      await serve({ [CREATE]: () => ({ status: 201, body: pullRequest(site, fields({})) }) });
      const error = await rejection(bitbucket.createPullRequest({ remote, title: 'Add a greeting', head: HEAD, base: 'main' }, providerContextOver({ apiBaseUrl: host.url, token: null })));
      assert.equal(error.code, 'FORGE_PROVIDER_AUTH_FAILED');
      assert.equal(host.requests[0]?.headers['authorization'], undefined);
    }));

    it("maps Bitbucket's 400 for an invalid pull request to a rejection carrying its message", clean(async () => {
      const ctx = await serve({ [CREATE]: (request) => errorAnswer(request.operationId, 400, 'There are no changes to be pulled') });
      const error = await rejection(bitbucket.createPullRequest({ remote, title: 'Nothing new', head: HEAD, base: 'main' }, ctx));
      assert.equal(error.code, 'FORGE_PROVIDER_REJECTED');
      assert.equal(error.details?.['hostMessage'], 'There are no changes to be pulled');
      assert.match(error.message, /from forge\/1a2b3c4d-add-a-greeting into main on acme\/widgets/);
    }));
  });

  describe('getPullRequest', () => {
    it('reads each state Bitbucket has as open, merged or closed, with the head commit and the web page', clean(async () => {
      const states = { 1: 'OPEN', 2: 'MERGED', 3: 'DECLINED', 4: 'SUPERSEDED' } as const;
      const ctx = await serve({
        [GET]: (request) => {
          const id = Number(request.params['pull_request_id']) as keyof typeof states;
          return { status: 200, body: pullRequest(site, fields({ id, state: states[id], ...(id === 2 ? { mergeSha: 'c81f3e2a9d40' } : {}) })) };
        },
      });
      const read = [];
      for (const number of [1, 2, 3, 4]) read.push(await bitbucket.getPullRequest({ remote, number }, ctx));
      assert.deepEqual(read.map((pr) => pr.state), ['open', 'merged', 'closed', 'closed']);
      assert.deepEqual(read.map((pr) => pr.url), [1, 2, 3, 4].map((number) => `https://bitbucket.org/acme/widgets/pull-requests/${number}`));
      assert.ok(read.every((pr) => pr.headSha === HEAD_SHA.slice(0, 12) && pr.head === HEAD && pr.base === 'main'));
      assertStayedUnderApiRoot(ctx);
    }));

    it('encodes the workspace and repository so a name cannot change the path', clean(async () => {
      const odd: RemoteRef = { host: 'bitbucket.org', owner: 'acme team', repo: 'we?ird#slug/..' };
      const ctx = await serve({
        [GET]: (request) => {
          assert.deepEqual(request.params, { workspace: 'acme team', repo_slug: 'we?ird#slug/..', pull_request_id: '12' });
          return { status: 200, body: pullRequest(site, fields({})) };
        },
      });
      assert.equal((await bitbucket.getPullRequest({ remote: odd, number: 12 }, ctx)).number, 12);
      assert.equal(ctx.sent[0]?.url, `${host.url}/repositories/acme%20team/we%3Fird%23slug%2F../pullrequests/12`);
    }));
  });

  describe('findPullRequest', () => {
    const listed = (prs: Record<string, Partial<PullRequestFields>[]>) => twoPerPage((request) => (prs[request.query['state'] as string] ?? []).map((pr) => pullRequest(site, fields(pr))));

    it('takes the open pull request from head into base without reading the ended ones', clean(async () => {
      const ctx = await serve({ [LIST]: listed({ OPEN: [{ id: 14, head: 'forge/other' }, { id: 13, base: 'release/1.x' }, { id: 12 }] }) });
      assert.equal((await bitbucket.findPullRequest!({ remote, head: HEAD, base: 'main' }, ctx))?.number, 12);
      assert.deepEqual(host.requests.map((request) => request.query), [{ state: 'OPEN', pagelen: '50' }, { state: 'OPEN', pagelen: '50', page: '2' }]);
      assertStayedUnderApiRoot(ctx);
    }));

    it('reads the merged, declined and superseded lists page by page and answers the newest from this repository', clean(async () => {
      const ctx = await serve({
        [LIST]: listed({
          OPEN: [{ id: 30, head: 'forge/other' }],
          MERGED: [{ id: 3, head: 'forge/other', state: 'MERGED' }, { id: 25, state: 'MERGED', sourceFullName: 'someone-else/widgets' }, { id: 21, state: 'MERGED' }],
          DECLINED: [{ id: 17, state: 'DECLINED' }],
          SUPERSEDED: [{ id: 9, state: 'SUPERSEDED' }],
        }),
      });
      const found = await bitbucket.findPullRequest!({ remote, head: HEAD, base: 'main' }, ctx);
      assert.deepEqual([found?.number, found?.state], [21, 'merged']);
      assert.deepEqual(
        host.requests.map((request) => `${request.query['state']}:${request.query['page'] ?? 1}`),
        ['OPEN:1', 'MERGED:1', 'MERGED:2', 'DECLINED:1', 'SUPERSEDED:1'],
      );
    }));

    it('answers null when no pull request ever went from head into base', clean(async () => {
      const ctx = await serve({ [LIST]: listed({ MERGED: [{ id: 3, head: 'forge/other', state: 'MERGED' }] }) });
      assert.equal(await bitbucket.findPullRequest!({ remote, head: HEAD, base: 'main' }, ctx), null);
    }));
  });

  describe('getChecks', () => {
    const status = (key: string, state: 'INPROGRESS' | 'SUCCESSFUL' | 'FAILED' | 'STOPPED', description: string, commit = HEAD_SHA) =>
      commitStatus(site, { key, name: `${key} build`, state, url: `https://ci.acme.example/${key}`, description, commit, createdOn: '2025-03-04T10:22:40.117000+00:00', updatedOn: '2025-03-04T10:31:02.504000+00:00' });

    it("reduces the head commit's build statuses, all pages, leaving out an older commit's", clean(async () => {
      const longLog = `FAIL greeting.test.ts\n${'expected "bonjour", received "hello"\n'.repeat(120)}`;
      const ctx = await serve({
        [GET]: () => ({ status: 200, body: pullRequest(site, fields({})) }),
        [STATUSES]: twoPerPage(() => [
          status('PIPELINE', 'FAILED', longLog),
          status('LINT', 'FAILED', 'Lint failed on the commit before', '0d9c8b7a6f5e4d3c2b1a09f8e7d6c5b4a3f2e1d0'),
          status('LINT', 'SUCCESSFUL', 'Lint passed'),
          status('E2E', 'INPROGRESS', 'Running'),
          status('DEPLOY', 'STOPPED', 'Stopped by Ana Souza'),
        ]),
      });
      const report = await bitbucket.getChecks!({ remote, number: 12 }, ctx);
      assert.equal(report.state, 'failure');
      assert.equal(report.sha, HEAD_SHA.slice(0, 12));
      assert.deepEqual(report.checks.map((check) => [check.name, check.state]), [['PIPELINE build', 'failure'], ['LINT build', 'success'], ['E2E build', 'pending'], ['DEPLOY build', 'failure']]);
      const [pipeline, lint, , deploy] = report.checks;
      assert.equal(pipeline?.summary?.length, 2048);
      assert.ok(pipeline?.summary?.startsWith('FAIL greeting.test.ts\nexpected "bonjour"') && pipeline.summary.endsWith('…'));
      assert.equal(lint?.summary, undefined);
      assert.equal(deploy?.summary, 'Stopped by Ana Souza');
      assert.equal(pipeline?.url, 'https://ci.acme.example/PIPELINE');
      assert.deepEqual(host.requests.filter((request) => request.operationId === STATUSES).map((request) => request.query['page'] ?? '1'), ['1', '2', '3']);
      assertStayedUnderApiRoot(ctx);
    }));

    it('says none when no build reported on the head commit', clean(async () => {
      const ctx = await serve({ [GET]: () => ({ status: 200, body: pullRequest(site, fields({})) }), [STATUSES]: twoPerPage(() => []) });
      assert.deepEqual(await bitbucket.getChecks!({ remote, number: 12 }, ctx), { state: 'none', sha: HEAD_SHA.slice(0, 12), checks: [] });
    }));
  });

  describe('listReviewComments', () => {
    it('reads every page, oldest first, with file and line for comments on the diff, without deleted ones', clean(async () => {
      const at = (minute: number) => `2025-03-04T11:${String(minute).padStart(2, '0')}:00.000000+00:00`;
      const ctx = await serve({
        [COMMENTS]: twoPerPage(() => [
          comment(site, { id: 501, pullRequestId: 12, raw: 'One thing before this goes in.', createdOn: at(1), author: ana }),
          comment(site, { id: 502, pullRequestId: 12, raw: 'Say *bonjour* here.', createdOn: at(2), author: ana, path: 'src/greeting.ts', to: 14 }),
          comment(site, { id: 503, pullRequestId: 12, raw: 'Never mind.', createdOn: at(3), author: ana, deleted: true }),
          comment(site, { id: 504, pullRequestId: 12, raw: 'Why drop this check?', createdOn: at(4), author: ana, path: 'src/parse.ts', from: 31 }),
          comment(site, { id: 505, pullRequestId: 12, raw: 'Done.', createdOn: at(5), author: account('Forge Bot', 'forge-bot'), path: 'src/greeting.ts', to: 14 }),
        ]),
      });
      const comments = await bitbucket.listReviewComments!({ remote, number: 12 }, ctx);
      assert.deepEqual(
        comments.map(({ id, author, body, path, line, createdAt }) => ({ id, author, body, path, line, createdAt })),
        [
          { id: '501', author: 'Ana Souza', body: 'One thing before this goes in.', path: undefined, line: undefined, createdAt: at(1) },
          { id: '502', author: 'Ana Souza', body: 'Say *bonjour* here.', path: 'src/greeting.ts', line: 14, createdAt: at(2) },
          { id: '504', author: 'Ana Souza', body: 'Why drop this check?', path: 'src/parse.ts', line: 31, createdAt: at(4) },
          { id: '505', author: 'Forge Bot', body: 'Done.', path: 'src/greeting.ts', line: 14, createdAt: at(5) },
        ],
      );
      assert.equal(comments[0]?.url, 'https://bitbucket.org/acme/widgets/pull-requests/12/_/diff#comment-501');
      assert.deepEqual(host.requests.map((request) => request.query), [{ pagelen: '100' }, { pagelen: '100', page: '2' }, { pagelen: '100', page: '3' }]);
      assertStayedUnderApiRoot(ctx);
    }));

    /** The first page of one comment, whose `next` is the given URL. */
    const firstPageNaming = (next: () => string): FakeHandler => () => ({
      status: 200,
      body: page([comment(site, { id: 501, pullRequestId: 12, raw: 'Hi', createdOn: '2025-03-04T11:00:00+00:00', author: ana })], { page: 1, pagelen: 100, size: 2, next: next() }),
    });

    it('does not follow a next page on another host, and sends nothing there', clean(async () => {
      const elsewhere = await startFakeHost({ spec: bitbucketSpec(), basePath: BASE_PATH, label: 'elsewhere', handlers: {} });
      try {
        const ctx = await serve({ [COMMENTS]: firstPageNaming(() => `${elsewhere.url}/repositories/acme/widgets/pullrequests/12/comments?page=2`) });
        const error = await rejection(bitbucket.listReviewComments!({ remote, number: 12 }, ctx));
        assert.equal(error.code, 'FORGE_PROVIDER_FAILED');
        assert.match(error.message, /next page outside/);
        assert.equal(ctx.sent.length, 1);
        assert.equal(elsewhere.requests.length, 0);
      } finally {
        await elsewhere.close();
      }
    }));

    it('does not follow a next page on the same host but outside the API root', clean(async () => {
      const ctx = await serve({ [COMMENTS]: firstPageNaming(() => `${host.origin}/other-api/2.0/repositories/acme/widgets/pullrequests/12/comments?page=2`) });
      const error = await rejection(bitbucket.listReviewComments!({ remote, number: 12 }, ctx));
      assert.equal(error.code, 'FORGE_PROVIDER_FAILED');
      assert.equal(ctx.sent.length, 1);
      assertStayedUnderApiRoot(ctx);
    }));
  });

  describe('errors', () => {
    /** Each hook, called so that its first request meets the gate. */
    const calls: Record<string, (ctx: ProviderContext) => Promise<unknown>> = {
      createPullRequest: (ctx) => bitbucket.createPullRequest({ remote, title: 'Add a greeting', head: HEAD, base: 'main' }, ctx),
      getPullRequest: (ctx) => bitbucket.getPullRequest({ remote, number: 12 }, ctx),
      findPullRequest: (ctx) => bitbucket.findPullRequest!({ remote, head: HEAD, base: 'main' }, ctx),
      getChecks: (ctx) => bitbucket.getChecks!({ remote, number: 12 }, ctx),
      listReviewComments: (ctx) => bitbucket.listReviewComments!({ remote, number: 12 }, ctx),
    };
    const answers: { status: number; code: ForgeErrorCode; message: string; headers?: Record<string, string>; retryAfterSeconds?: number }[] = [
      { status: 403, code: 'FORGE_PROVIDER_AUTH_FAILED', message: 'Your credentials lack one or more required privilege scopes.' },
      { status: 404, code: 'FORGE_PROVIDER_NOT_FOUND', message: 'Repository acme/widgets not found' },
      { status: 409, code: 'FORGE_PROVIDER_CONFLICT', message: 'The pull request is being merged.' },
      { status: 422, code: 'FORGE_PROVIDER_REJECTED', message: 'Unprocessable entity' },
      { status: 429, code: 'FORGE_PROVIDER_RATE_LIMITED', message: 'Rate limit for this resource has been exceeded', headers: { 'retry-after': '17' }, retryAfterSeconds: 17 },
      // Bitbucket documents X-RateLimit-* headers but no Retry-After: the wait is then unknown.
      { status: 429, code: 'FORGE_PROVIDER_RATE_LIMITED', message: 'Rate limit for this resource has been exceeded', headers: { 'x-ratelimit-limit': '1000', 'x-ratelimit-nearlimit': 'true' } },
    ];

    for (const [hook, call] of Object.entries(calls)) {
      it(`${hook}: a refused token is FORGE_PROVIDER_AUTH_FAILED, and the token is in neither message nor details`, clean(async () => {
        await serve({});
        const wrong = 'bitbucket-wrong-token-c41d2e';
        const error = await rejection(call(providerContextOver({ apiBaseUrl: host.url, token: wrong })));
        assert.equal(error.code, 'FORGE_PROVIDER_AUTH_FAILED');
        assert.equal(error.details?.['status'], 401);
        assert.ok(!`${error.message} ${JSON.stringify(error.details)}`.includes(wrong));
      }));

      for (const answer of answers) {
        it(`${hook}: HTTP ${answer.status}${answer.headers?.['retry-after'] ? ' with Retry-After' : ''} is ${answer.code}${answer.retryAfterSeconds ? ' with the wait' : ''}`, clean(async () => {
          const ctx = await serve({});
          gate = (request) => errorAnswer(request.operationId, answer.status, answer.message, answer.headers);
          const error = await rejection(call(ctx));
          assert.equal(error.code, answer.code, error.message);
          assert.equal(error.details?.['status'], answer.status);
          assert.equal(error.details?.['hostMessage'], answer.message);
          assert.equal(error.details?.['retryAfterSeconds'], answer.retryAfterSeconds);
          assert.ok(!`${error.message} ${JSON.stringify(error.details)}`.includes(TOKEN));
          assert.equal(host.requests.length, 1);
        }));
      }
    }
  });
});
