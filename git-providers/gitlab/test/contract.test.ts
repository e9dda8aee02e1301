import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { providerContextOver, startFakeHost, type FakeAnswer, type FakeHandler, type FakeHost, type FakeRequest, type RecordingProviderContext, rejection } from '@forge-core/openapi-fake-host';
import type { ForgeError, RemoteRef } from '@forge-core/sdk';
import { gitlab } from '../src/index.ts';
import { commitStatusBody, errorBody, mergeRequestBasicBody, mergeRequestBody, noteBody, pipelineBody, type MergeRequestFields, type UserFields } from './support/gitlab-bodies.ts';
import { gitlabPage } from './support/gitlab-pages.ts';
import { gitlabSpec } from './support/gitlab-spec.ts';

// Every request is checked against the recorded GitLab spec as it is; the answers against it with
// the corrections gitlabSpec() lists (error bodies, lists declared as single objects) and
// `lenientNulls`, since GitLab sends null for many fields the spec does not mark nullable.

const TOKEN = `glpat-${randomBytes(10).toString('hex')}`;
const PROJECT = 'acme/platform/widgets';
const remote: RemoteRef = { host: 'gitlab.example.org', owner: 'acme/platform', repo: 'widgets' };
const HEAD = 'forge/1a2b3c4d-add-a-greeting';
const SHA = '9f2c4e1b7d3a8c6e5f40912ab3cd4e5f60718293';
const BOT: UserFields = { id: 20741190, username: 'forge-bot', name: 'Forge Bot' };
const ALICE: UserFields = { id: 3126511, username: 'alice.reviewer', name: 'Alice Reviewer' };

const OPS = {
  create: 'postApiV4ProjectsIdMergeRequests',
  list: 'getApiV4ProjectsIdMergeRequests',
  get: 'getApiV4ProjectsIdMergeRequestsMergeRequestIid',
  pipelines: 'getApiV4ProjectsIdMergeRequestsMergeRequestIidPipelines',
  statuses: 'getApiV4ProjectsIdRepositoryCommitsShaStatuses',
  notes: 'getApiV4ProjectsIdMergeRequestsNoteableIdNotes',
} as const;

let host: FakeHost;
let ctx: RecordingProviderContext;

/** GitLab's gate as documented: PRIVATE-TOKEN with the token, else 401 with its message. */
const tokenGate = (request: FakeRequest): FakeAnswer | undefined =>
  request.headers['private-token'] === TOKEN ? undefined : { status: 401, body: errorBody('401 Unauthorized') };

async function serve(handlers: Record<string, FakeHandler>, options: { gate?: (request: FakeRequest) => FakeAnswer | undefined; basePath?: string; token?: string | null } = {}): Promise<void> {
  host = await startFakeHost({ spec: gitlabSpec(), lenientNulls: true, label: 'gitlab', handlers, authenticate: options.gate ?? tokenGate, basePath: options.basePath ?? '' });
  ctx = providerContextOver({ apiBaseUrl: `${host.url}/api/v4`, token: options.token === undefined ? TOKEN : options.token });
}

const webOrigin = () => host.origin;

function mergeRequest(overrides: Partial<MergeRequestFields> = {}): MergeRequestFields {
  return {
    id: 372880133,
    iid: 133,
    projectId: 48213307,
    projectPath: PROJECT,
    webUrl: `${webOrigin()}/${PROJECT}/-/merge_requests/${overrides.iid ?? 133}`,
    title: 'Add a greeting',
    description: 'Written by Forge attempt 1a2b3c4d.',
    state: 'opened',
    draft: false,
    sourceBranch: HEAD,
    targetBranch: 'main',
    sha: SHA,
    baseSha: '41d0b7a9e2c3f4a5b6c7d8e9f0a1b2c3d4e5f607',
    author: BOT,
    createdAt: '2025-03-04T10:15:42.118Z',
    updatedAt: '2025-03-04T10:15:42.118Z',
    ...overrides,
  };
}

const answerMergeRequest = (fields: Partial<MergeRequestFields> = {}): FakeHandler => () => ({ status: 200, body: mergeRequestBody(mergeRequest(fields), webOrigin()) });

/** `count` notes of the merge request, every third one a system note, every fourth a diff note. */
function notes(count: number): { note: Record<string, unknown>; system: boolean }[] {
  return Array.from({ length: count }, (_, index) => {
    const system = index % 3 === 0;
    const diff = !system && index % 4 === 1;
    const note = noteBody(
      {
        id: 2385000000 + index,
        body: system ? 'added 1 commit' : `Remark ${index}`,
        author: system ? BOT : ALICE,
        createdAt: new Date(Date.UTC(2025, 2, 4, 11, 0, index)).toISOString(),
        system,
        projectId: 48213307,
        mergeRequestId: 372880133,
        mergeRequestIid: 133,
        ...(diff ? { position: { path: `src/file-${index}.ts`, line: index + 1, baseSha: SHA, headSha: SHA } } : {}),
      },
      webOrigin(),
    );
    return { note, system };
  });
}

const paged = (items: readonly unknown[]): FakeHandler => (request) => {
  const page = gitlabPage(items, request.url);
  return { status: 200, body: page.items, headers: page.headers };
};

function assertNoToken(error: ForgeError): void {
  const visible = `${error.message} ${JSON.stringify(error.details ?? null)}`;
  assert.ok(!visible.includes(TOKEN), `the token is in what the error shows: ${visible}`);
}

/** What every test checks of the requests it made: under ctx.apiBaseUrl, with the token as GitLab documents it. */
function assertRequestsAsDocumented(): void {
  assert.ok(host.requests.length > 0, 'the provider made no request');
  for (const { url } of ctx.sent) assert.ok(url.startsWith(`${ctx.apiBaseUrl}/`), `${url} is outside ctx.apiBaseUrl ${ctx.apiBaseUrl}`);
  for (const request of host.requests) {
    assert.equal(request.headers['private-token'], ctx.token ?? undefined, `${request.method} ${request.path}: PRIVATE-TOKEN`);
    assert.equal(request.headers['authorization'], undefined, `${request.method} ${request.path}: no Authorization header beside PRIVATE-TOKEN`);
    assert.equal(request.url.searchParams.get('private_token'), null, 'the token never goes in the query string');
  }
  host.assertClean();
}

describe('gitlab provider against the recorded GitLab REST API v4 (contract)', () => {
  afterEach(async () => {
    await host?.close();
  });

  describe('each hook sends requests the spec accepts', () => {
    it('createPullRequest posts source, target, title and description to the URL-encoded project path', async () => {
      await serve({ [OPS.create]: (request) => ({ status: 201, body: mergeRequestBody(mergeRequest({ title: (request.body as { title: string }).title }), webOrigin()) }) });
      const created = await gitlab.createPullRequest({ remote, title: 'Add a greeting', body: 'Written by Forge attempt 1a2b3c4d.', head: HEAD, base: 'main' }, ctx);
      const [request] = host.requests;
      assert.equal(request?.path, '/api/v4/projects/acme%2Fplatform%2Fwidgets/merge_requests');
      assert.equal(request?.params['id'], PROJECT);
      assert.deepEqual(request?.body, { source_branch: HEAD, target_branch: 'main', title: 'Add a greeting', description: 'Written by Forge attempt 1a2b3c4d.' });
      assert.deepEqual(created, { number: 133, url: `${webOrigin()}/${PROJECT}/-/merge_requests/133`, state: 'open', title: 'Add a greeting', head: HEAD, base: 'main', draft: false, headSha: SHA });
      assertRequestsAsDocumented();
    });

    it('createPullRequest opens a draft with the "Draft: " title marker, once', async () => {
      await serve({ [OPS.create]: (request) => ({ status: 201, body: mergeRequestBody(mergeRequest({ title: (request.body as { title: string }).title, draft: true }), webOrigin()) }) });
      const draft = await gitlab.createPullRequest({ remote, title: 'Split the parser', head: HEAD, base: 'main', draft: true }, ctx);
      const marked = await gitlab.createPullRequest({ remote, title: '[Draft] Split the parser', head: HEAD, base: 'main', draft: true }, ctx);
      assert.deepEqual(host.requests.map((request) => (request.body as { title: string }).title), ['Draft: Split the parser', '[Draft] Split the parser']);
      assert.deepEqual([draft.title, draft.draft, marked.title], ['Split the parser', true, 'Split the parser']);
      assertRequestsAsDocumented();
    });

    it('getPullRequest reads GitLab\'s states: opened and locked are open, merged and closed as they are', async () => {
      const states = ['opened', 'locked', 'merged', 'closed'] as const;
      let next = 0;
      await serve({ [OPS.get]: () => ({ status: 200, body: mergeRequestBody(mergeRequest({ state: states[next++] }), webOrigin()) }) });
      const read = [];
      for (const _ of states) read.push((await gitlab.getPullRequest({ remote, number: 133 }, ctx)).state);
      assert.deepEqual(read, ['open', 'open', 'merged', 'closed']);
      assert.deepEqual(host.requests.map((request) => request.params['merge_request_iid']), ['133', '133', '133', '133']);
      assertRequestsAsDocumented();
    });

    it('findPullRequest asks for the branch pair in any state, newest first, at 100 a page, and skips a fork\'s', async () => {
      const fork = mergeRequestBasicBody(mergeRequest({ iid: 141, sourceProjectId: 51234871, title: 'From a fork' }), webOrigin());
      const own = mergeRequestBasicBody(mergeRequest({ state: 'merged', mergedAt: '2025-03-05T08:01:10.553Z' }), webOrigin());
      await serve({ [OPS.list]: paged([fork, own]) });
      const found = await gitlab.findPullRequest!({ remote, head: HEAD, base: 'main' }, ctx);
      assert.deepEqual(host.requests[0]?.query, { source_branch: HEAD, target_branch: 'main', state: 'all', order_by: 'created_at', sort: 'desc', per_page: '100' });
      assert.equal(found?.number, 133);
      assert.equal(found?.state, 'merged');
      assertRequestsAsDocumented();
    });

    it('findPullRequest answers null when GitLab lists none', async () => {
      await serve({ [OPS.list]: paged([]) });
      assert.equal(await gitlab.findPullRequest!({ remote, head: HEAD, base: 'main' }, ctx), null);
      assertRequestsAsDocumented();
    });

    it('getChecks reads the head commit, its merge request pipelines and every page of its statuses', async () => {
      const jobs = Array.from({ length: 130 }, (_, index) =>
        commitStatusBody(
          {
            id: 9310000 + index,
            sha: SHA,
            ref: HEAD,
            name: `job-${index}`,
            status: index === 120 ? 'failed' : 'success',
            description: index === 120 ? 'x'.repeat(5000) : null,
            targetUrl: `${webOrigin()}/${PROJECT}/-/jobs/${9310000 + index}`,
            pipelineId: 1709000101,
            author: BOT,
            createdAt: '2025-03-04T10:15:20.041Z',
          },
          webOrigin(),
        ),
      );
      const pipeline = pipelineBody({ id: 1709000101, iid: 412, projectId: 48213307, sha: SHA, ref: HEAD, status: 'failed', webUrl: `${webOrigin()}/${PROJECT}/-/pipelines/1709000101`, createdAt: '2025-03-04T10:14:58.204Z' });
      await serve({ [OPS.get]: answerMergeRequest(), [OPS.pipelines]: () => ({ status: 200, body: [pipeline] }), [OPS.statuses]: paged(jobs) });
      const report = await gitlab.getChecks!({ remote, number: 133 }, ctx);
      assert.deepEqual(
        host.requests.map((request) => [request.operationId, request.url.search]),
        [
          [OPS.get, ''],
          [OPS.pipelines, ''],
          [OPS.statuses, '?per_page=100'],
          [OPS.statuses, '?per_page=100&page=2'],
        ],
      );
      assert.equal(host.requests[2]?.params['sha'], SHA);
      assert.equal(report.state, 'failure');
      assert.equal(report.checks.length, 130);
      const failed = report.checks.filter((check) => check.state === 'failure');
      assert.deepEqual(failed.map((check) => check.name), ['job-120']);
      assert.equal(failed[0]?.summary?.length, 2048, 'a summary is capped at 2 KB');
      assert.ok(failed[0]?.summary?.endsWith('…'));
      assertRequestsAsDocumented();
    });

    it('listReviewComments reads three pages of notes, oldest first, without system notes', async () => {
      const all = notes(250);
      await serve({ [OPS.get]: answerMergeRequest(), [OPS.notes]: paged(all.map(({ note }) => note)) });
      const comments = await gitlab.listReviewComments!({ remote, number: 133 }, ctx);
      assert.deepEqual(
        host.requests.filter((request) => request.operationId === OPS.notes).map((request) => request.url.search),
        ['?order_by=created_at&sort=asc&per_page=100', '?order_by=created_at&sort=asc&per_page=100&page=2', '?order_by=created_at&sort=asc&per_page=100&page=3'],
      );
      assert.equal(host.requests[1]?.params['noteable_id'], '133');
      const people = all.filter(({ system }) => !system).map(({ note }) => String(note['id']));
      assert.deepEqual(comments.map((comment) => comment.id), people);
      const diff = comments.find((comment) => comment.id === '2385000001');
      assert.deepEqual(diff, {
        id: '2385000001',
        author: 'alice.reviewer',
        body: 'Remark 1',
        createdAt: '2025-03-04T11:00:01.000Z',
        path: 'src/file-1.ts',
        line: 2,
        url: `${webOrigin()}/${PROJECT}/-/merge_requests/133#note_2385000001`,
      });
      assertRequestsAsDocumented();
    });
  });

  describe('pages and base URLs', () => {
    it('follows X-Next-Page under ctx.apiBaseUrl when GitLab writes its Link header with another origin', async () => {
      const all = notes(150).map(({ note }) => note);
      const proxied: FakeHandler = (request) => {
        const page = gitlabPage(all, request.url);
        return { status: 200, body: page.items, headers: { ...page.headers, link: page.headers['link']!.replaceAll(webOrigin(), 'https://gitlab.internal.example') } };
      };
      await serve({ [OPS.get]: answerMergeRequest(), [OPS.notes]: proxied });
      const comments = await gitlab.listReviewComments!({ remote, number: 133 }, ctx);
      assert.equal(comments.length, all.filter((note) => note['system'] !== true).length);
      assertRequestsAsDocumented();
    });

    it('follows a Link header alone, as keyset pagination sends no page number', async () => {
      const all = notes(150).map(({ note }) => note);
      const keyset: FakeHandler = (request) => {
        const { items, headers } = gitlabPage(all, request.url);
        return { status: 200, body: items, headers: { link: headers['link']! } };
      };
      await serve({ [OPS.get]: answerMergeRequest(), [OPS.notes]: keyset });
      const comments = await gitlab.listReviewComments!({ remote, number: 133 }, ctx);
      assert.equal(comments.length, all.filter((note) => note['system'] !== true).length);
      assert.equal(host.requests.filter((request) => request.operationId === OPS.notes).length, 2);
      assertRequestsAsDocumented();
    });

    it('works under a self-managed server\'s relative URL root', async () => {
      await serve({ [OPS.get]: answerMergeRequest(), [OPS.notes]: paged(notes(120).map(({ note }) => note)) }, { basePath: '/gitlab' });
      assert.equal(ctx.apiBaseUrl, `${webOrigin()}/gitlab/api/v4`);
      assert.equal((await gitlab.getPullRequest({ remote, number: 133 }, ctx)).number, 133);
      assert.ok((await gitlab.listReviewComments!({ remote, number: 133 }, ctx)).length > 0);
      assert.ok(host.requests.every((request) => request.url.pathname.startsWith('/gitlab/api/v4/')));
      assertRequestsAsDocumented();
    });
  });

  describe('failures', () => {
    it('sends no token header without a token, and GitLab\'s 401 is FORGE_PROVIDER_AUTH_FAILED', async () => {
      await serve({ [OPS.get]: answerMergeRequest() }, { token: null });
      const error = await rejection(gitlab.getPullRequest({ remote, number: 133 }, ctx));
      assert.equal(error.code, 'FORGE_PROVIDER_AUTH_FAILED');
      assert.deepEqual([error.details?.['status'], error.details?.['hostMessage']], [401, '401 Unauthorized']);
      assertRequestsAsDocumented();
    });

    it('maps a refused token (401) to FORGE_PROVIDER_AUTH_FAILED without showing it', async () => {
      await serve({ [OPS.create]: () => ({ status: 201, body: mergeRequestBody(mergeRequest(), webOrigin()) }) }, { gate: () => ({ status: 401, body: errorBody('401 Unauthorized') }) });
      const error = await rejection(gitlab.createPullRequest({ remote, title: 'Add a greeting', head: HEAD, base: 'main' }, ctx));
      assert.equal(error.code, 'FORGE_PROVIDER_AUTH_FAILED');
      assert.match(error.message, /opening a merge request from forge\/1a2b3c4d-add-a-greeting into main on acme\/platform\/widgets/);
      assertNoToken(error);
      assertRequestsAsDocumented();
    });

    it('maps 403 (a token without access to the project\'s CI) to FORGE_PROVIDER_AUTH_FAILED', async () => {
      const gate = (request: FakeRequest) => (request.operationId === OPS.statuses ? { status: 403, body: errorBody('403 Forbidden') } : tokenGate(request));
      await serve({ [OPS.get]: answerMergeRequest(), [OPS.pipelines]: () => ({ status: 200, body: [] }), [OPS.statuses]: paged([]) }, { gate });
      const error = await rejection(gitlab.getChecks!({ remote, number: 133 }, ctx));
      assert.equal(error.code, 'FORGE_PROVIDER_AUTH_FAILED');
      assert.deepEqual([error.details?.['status'], error.details?.['hostMessage']], [403, '403 Forbidden']);
      assert.match(error.message, /commit statuses of 9f2c4e1b7d3a in acme\/platform\/widgets/);
      assertNoToken(error);
      assertRequestsAsDocumented();
    });

    it('maps a missing merge request (404) to FORGE_PROVIDER_NOT_FOUND', async () => {
      await serve({ [OPS.get]: () => ({ status: 404, body: errorBody('404 Not found') }) });
      const error = await rejection(gitlab.getPullRequest({ remote, number: 404 }, ctx));
      assert.equal(error.code, 'FORGE_PROVIDER_NOT_FOUND');
      assert.match(error.message, /merge request !404 of acme\/platform\/widgets/);
      assertNoToken(error);
      assertRequestsAsDocumented();
    });

    it('maps "another open merge request already exists" (409) to FORGE_PROVIDER_CONFLICT with GitLab\'s words', async () => {
      await serve({ [OPS.create]: () => ({ status: 409, body: errorBody(['Another open merge request already exists for this source branch: !133']) }) });
      const error = await rejection(gitlab.createPullRequest({ remote, title: 'Add a greeting', head: HEAD, base: 'main' }, ctx));
      assert.equal(error.code, 'FORGE_PROVIDER_CONFLICT');
      assert.equal(error.details?.['hostMessage'], 'Another open merge request already exists for this source branch: !133');
      assertNoToken(error);
      assertRequestsAsDocumented();
    });

    it('maps an invalid merge request (422) to FORGE_PROVIDER_REJECTED', async () => {
      await serve({ [OPS.create]: () => ({ status: 422, body: errorBody(["You can't use same project/branch for source and target"]) }) });
      const error = await rejection(gitlab.createPullRequest({ remote, title: 'Add a greeting', head: 'main', base: 'main' }, ctx));
      assert.equal(error.code, 'FORGE_PROVIDER_REJECTED');
      assert.equal(error.details?.['hostMessage'], "You can't use same project/branch for source and target");
      assertNoToken(error);
      assertRequestsAsDocumented();
    });

    it('maps GitLab\'s throttle (429, Retry-After) on a later page to FORGE_PROVIDER_RATE_LIMITED with the wait', async () => {
      const gate = (request: FakeRequest): FakeAnswer | undefined =>
        request.url.searchParams.get('page') === '2'
          ? { status: 429, text: 'Retry later\n', headers: { 'retry-after': '60', 'ratelimit-limit': '2000', 'ratelimit-observed': '2001', 'ratelimit-remaining': '0' } }
          : tokenGate(request);
      await serve({ [OPS.get]: answerMergeRequest(), [OPS.notes]: paged(notes(150).map(({ note }) => note)) }, { gate });
      const error = await rejection(gitlab.listReviewComments!({ remote, number: 133 }, ctx));
      assert.equal(error.code, 'FORGE_PROVIDER_RATE_LIMITED');
      assert.equal(error.details?.['retryAfterSeconds'], 60);
      assertNoToken(error);
      assertRequestsAsDocumented();
    });
  });
});
