import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { providerContextOver, startFakeHost, type FakeHost, type RecordingProviderContext } from '@forge-core/openapi-fake-host';
import { ForgeError, type ForgeErrorCode, type RemoteRef } from '@forge-core/sdk';
import { giteaProvider } from '../src/index.ts';
import { startFakeGitea, type FakeGiteaOptions, type ProviderFake } from './support/fake-gitea.ts';
import { GITEA_API_PATH, giteaSpecWithErrorBodies } from './support/gitea-spec.ts';

const remote: RemoteRef = { host: 'gitea.example.org', owner: 'acme', repo: 'widgets' };
const head = 'forge/1a2b3c4d-add-a-greeting';
const provider = giteaProvider;

/** The query a request was sent with, for asserting which pages were read. */
const pagesRead = (host: FakeHost, operationId: string) => host.requests.filter((request) => request.operationId === operationId).map((request) => request.query['page'] ?? '1');

/** The provider rejects with this code, and neither its message nor its details carry the token. */
async function rejectsWith(promise: Promise<unknown>, code: ForgeErrorCode, token: string): Promise<ForgeError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof ForgeError, `rejected with ${String(caught)}, not a ForgeError`);
  assert.equal(caught.code, code, caught.message);
  assert.ok(!`${caught.message} ${JSON.stringify(caught.details ?? null)}`.includes(token), 'the token is in the error');
  return caught;
}

describe("gitea provider against Gitea 1.20's API description", () => {
  const started: { fake: ProviderFake; contexts: RecordingProviderContext[] }[] = [];

  /** A fake Gitea checking every exchange against the spec, and a context factory for the provider. */
  async function gitea(options: FakeGiteaOptions = {}) {
    const fake = await startFakeGitea({ token: `gitea-contract-${randomUUID()}`, ...options });
    const contexts: RecordingProviderContext[] = [];
    started.push({ fake, contexts });
    const ctx = (token: string | null = fake.token) => {
      const context = providerContextOver({ apiBaseUrl: fake.apiBaseUrl, token });
      contexts.push(context);
      return context;
    };
    const open = (title: string, branch: string, base = 'main') => provider.createPullRequest({ remote, title, head: branch, base }, ctx());
    return { fake, host: fake.host, ctx, open };
  }

  afterEach(async () => {
    for (const { fake, contexts } of started.splice(0)) {
      await fake.close();
      fake.host.assertClean();
      const outside = contexts.flatMap((context) => context.sent.map((request) => request.url)).filter((url) => !url.startsWith(`${fake.apiBaseUrl}/`));
      assert.deepEqual(outside, [], 'requests left ctx.apiBaseUrl');
    }
  });

  describe('requests the spec accepts', () => {
    it('opens a pull request with the fields Gitea takes, sending Authorization as Gitea documents it', async () => {
      const { fake, host, ctx } = await gitea();
      const opened = await provider.createPullRequest({ remote, title: 'Add a greeting', body: 'Written by Forge.', head, base: 'main' }, ctx());
      assert.deepEqual({ number: opened.number, state: opened.state, draft: opened.draft, head: opened.head, base: opened.base }, { number: 1, state: 'open', draft: false, head, base: 'main' });
      const [request] = host.requests;
      assert.equal(request?.operationId, 'repoCreatePullRequest');
      assert.deepEqual(request?.body, { title: 'Add a greeting', body: 'Written by Forge.', head, base: 'main' });
      assert.equal(request?.headers['authorization'], `token ${fake.token}`);
    });

    it('opens a draft with a "WIP: " title, the only draft Gitea 1.20 has, and reads it back as one', async () => {
      const { host, ctx } = await gitea();
      const opened = await provider.createPullRequest({ remote, title: 'Split the parser', head, base: 'main', draft: true }, ctx());
      assert.equal((host.requests[0]?.body as { title: string }).title, 'WIP: Split the parser');
      const read = await provider.getPullRequest({ remote, number: opened.number }, ctx());
      assert.deepEqual({ title: read.title, draft: read.draft }, { title: 'Split the parser', draft: true });
    });

    it('reads a pull request open, closed and merged, with its head commit', async () => {
      const { fake, ctx, open } = await gitea();
      const [closing, merging, staying] = [await open('One', 'forge/1-one'), await open('Two', 'forge/2-two'), await open('Three', 'forge/3-three')];
      fake.closePullRequest(closing.number);
      fake.merge(merging.number);
      const states = await Promise.all([closing, merging, staying].map(({ number }) => provider.getPullRequest({ remote, number }, ctx())));
      assert.deepEqual(states.map((pr) => pr.state), ['closed', 'merged', 'open']);
      assert.deepEqual(states.map((pr) => pr.headSha), fake.pullRequests().map((pr) => pr.headSha));
    });

    it('sends no Authorization header when there is no token, and reads a public repository anonymously', async () => {
      const { fake, host, ctx, open } = await gitea();
      const opened = await open('Add a greeting', head);
      const read = await provider.getPullRequest({ remote, number: opened.number }, ctx(null));
      assert.equal(read.number, opened.number);
      assert.deepEqual(host.requests.map((request) => request.headers['authorization']), [`token ${fake.token}`, undefined]);
    });

    it('finds the pull request of a branch on the third page of a server that serves two a page, and reads no further', async () => {
      const { fake, host, ctx, open } = await gitea({ maxResponseItems: 2 });
      const wanted = await open('Add a greeting', head);
      for (const n of [1, 2, 3, 4]) await open(`Other ${n}`, `forge/other-${n}`);
      fake.addReviewComment(2, { body: 'Updated last.' });
      const found = await provider.findPullRequest!({ remote, head, base: 'main' }, ctx());
      assert.deepEqual(found, wanted);
      assert.deepEqual(pagesRead(host, 'repoListPullRequests'), ['1', '2', '3']);
      assert.ok(host.requests.every((request) => request.query['limit'] === '50' || request.operationId !== 'repoListPullRequests'));
    });

    it('stops at the page that holds the pull request', async () => {
      const { host, ctx, open } = await gitea({ maxResponseItems: 2 });
      for (const n of [1, 2, 3, 4]) await open(`Other ${n}`, `forge/other-${n}`);
      const wanted = await open('Add a greeting', head);
      assert.deepEqual(await provider.findPullRequest!({ remote, head, base: 'main' }, ctx()), wanted);
      assert.deepEqual(pagesRead(host, 'repoListPullRequests'), ['1']);
    });

    it("pages under the API base URL even when the server's Link headers name another origin (its ROOT_URL)", async () => {
      const { host, ctx, open } = await gitea({ maxResponseItems: 2, rootUrl: 'https://gitea.example.org/' });
      for (const n of [1, 2, 3, 4, 5]) await open(`Other ${n}`, `forge/other-${n}`);
      assert.equal(await provider.findPullRequest!({ remote, head, base: 'main' }, ctx()), null);
      assert.deepEqual(pagesRead(host, 'repoListPullRequests'), ['1', '2', '3']);
    });

    it('reads the checks of the head commit over three pages of statuses', async () => {
      const { fake, host, ctx, open } = await gitea({ maxResponseItems: 2 });
      const opened = await open('Add a greeting', head);
      for (const name of ['lint', 'build', 'docs', 'e2e']) fake.setChecks(opened.number, 'success', { name });
      fake.setChecks(opened.number, 'failure', { name: 'test', summary: 'expected "Hello, Ada" but got "Hello,Ada"' });
      const report = await provider.getChecks!({ remote, number: opened.number }, ctx());
      assert.equal(report.state, 'failure');
      assert.equal(report.sha, opened.headSha);
      assert.deepEqual(report.checks.map((check) => check.name).sort(), ['build', 'docs', 'e2e', 'lint', 'test']);
      assert.equal(report.checks.find((check) => check.name === 'test')?.summary, 'expected "Hello, Ada" but got "Hello,Ada"');
      assert.deepEqual(pagesRead(host, 'repoGetCombinedStatusByRef'), ['1', '2', '3']);
    });

    it('reads a commit without statuses, which Gitea answers with a zero value, as no checks', async () => {
      const { ctx, open } = await gitea();
      const opened = await open('Add a greeting', head);
      assert.deepEqual(await provider.getChecks!({ remote, number: opened.number }, ctx()), { state: 'none', sha: opened.headSha, checks: [] });
    });

    it('lists review comments over three pages of reviews, oldest first, with path and line', async () => {
      const { fake, host, ctx, open } = await gitea({ maxResponseItems: 2 });
      const opened = await open('Add a greeting', head);
      const written = [
        { body: 'First.', path: 'src/a.js', line: 1 },
        { body: 'In the conversation.' },
        { body: 'Second.', path: 'src/b.js', line: 20 },
        { body: 'Third.', path: 'src/c.js', line: 3 },
        { body: 'Fourth.', path: 'README.md', line: 4 },
        { body: 'Later in the conversation.' },
        { body: 'Fifth.', path: 'src/a.js', line: 5 },
      ];
      for (const comment of written) fake.addReviewComment(opened.number, { ...comment, author: 'ana' });
      const comments = await provider.listReviewComments!({ remote, number: opened.number }, ctx());
      assert.deepEqual(comments.map(({ body, path, line }) => ({ body, ...(path === undefined ? {} : { path, line }) })), written);
      assert.ok(comments.every((comment) => comment.author === 'ana' && comment.url?.startsWith(fake.host.origin)));
      assert.deepEqual(pagesRead(host, 'repoListPullReviews'), ['1', '2', '3']);
      assert.equal(host.requests.filter((request) => request.operationId === 'repoGetPullReviewComments').length, 5);
    });

    it('serves a Gitea installed under a sub-path through the configured base URL', async () => {
      const { fake, ctx, open } = await gitea({ basePath: '/gitea/api/v1' });
      assert.ok(fake.apiBaseUrl.endsWith('/gitea/api/v1'));
      const opened = await open('Add a greeting', head);
      fake.setChecks(opened.number, 'pending');
      fake.addReviewComment(opened.number, { body: 'Hm.', path: 'src/a.js', line: 2 });
      assert.equal((await provider.getChecks!({ remote, number: opened.number }, ctx())).state, 'pending');
      assert.equal((await provider.listReviewComments!({ remote, number: opened.number }, ctx())).length, 1);
      assert.ok(opened.url.startsWith(`${fake.host.origin}/gitea/acme/widgets/pulls/`), opened.url);
    });
  });

  describe('failures, as codes a client acts on, without the token', () => {
    it('maps the 401 of a token Gitea does not know to FORGE_PROVIDER_AUTH_FAILED', async () => {
      const { ctx, open } = await gitea();
      await open('Add a greeting', head);
      const wrong = `wrong-${randomUUID()}`;
      await rejectsWith(provider.createPullRequest({ remote, title: 'Again', head: 'forge/2', base: 'main' }, ctx(wrong)), 'FORGE_PROVIDER_AUTH_FAILED', wrong);
      await rejectsWith(provider.getPullRequest({ remote, number: 1 }, ctx(wrong)), 'FORGE_PROVIDER_AUTH_FAILED', wrong);
    });

    it('maps the 403 of a token without the scope to FORGE_PROVIDER_AUTH_FAILED, with what Gitea said', async () => {
      const token = `gitea-contract-${randomUUID()}`;
      const host = await startFakeHost({
        spec: giteaSpecWithErrorBodies(),
        basePath: GITEA_API_PATH,
        label: 'gitea',
        handlers: {},
        authenticate: () => ({ status: 403, body: { message: 'token does not have at least one of required scope(s): [write:repository]', url: 'https://gitea.example.org/api/swagger' } }),
      });
      try {
        const ctx = providerContextOver({ apiBaseUrl: host.url, token });
        const error = await rejectsWith(provider.createPullRequest({ remote, title: 'Add a greeting', head, base: 'main' }, ctx), 'FORGE_PROVIDER_AUTH_FAILED', token);
        assert.match(String(error.details?.['hostMessage']), /required scope\(s\): \[write:repository\]/);
        assert.equal(host.requests[0]?.headers['authorization'], `token ${token}`);
      } finally {
        await host.close();
      }
      host.assertClean();
    });

    it('maps 404 for a pull request or repository that does not exist to FORGE_PROVIDER_NOT_FOUND, in every hook', async () => {
      const { fake, ctx } = await gitea();
      const missing = { remote, number: 99 };
      await rejectsWith(provider.getPullRequest(missing, ctx()), 'FORGE_PROVIDER_NOT_FOUND', fake.token);
      await rejectsWith(provider.getChecks!(missing, ctx()), 'FORGE_PROVIDER_NOT_FOUND', fake.token);
      await rejectsWith(provider.listReviewComments!(missing, ctx()), 'FORGE_PROVIDER_NOT_FOUND', fake.token);
      const elsewhere = { ...remote, repo: 'gone' };
      await rejectsWith(provider.findPullRequest!({ remote: elsewhere, head, base: 'main' }, ctx()), 'FORGE_PROVIDER_NOT_FOUND', fake.token);
      await rejectsWith(provider.createPullRequest({ remote: elsewhere, title: 'Add a greeting', head, base: 'main' }, ctx()), 'FORGE_PROVIDER_NOT_FOUND', fake.token);
    });

    it('maps the 409 for a second pull request from the same branch to FORGE_PROVIDER_CONFLICT', async () => {
      const { fake, ctx, open } = await gitea();
      await open('Add a greeting', head);
      const error = await rejectsWith(provider.createPullRequest({ remote, title: 'Again', head, base: 'main' }, ctx()), 'FORGE_PROVIDER_CONFLICT', fake.token);
      assert.match(String(error.details?.['hostMessage']), /already exists/);
    });

    it('maps the 422 for a pull request without changes to FORGE_PROVIDER_REJECTED', async () => {
      const { fake, ctx } = await gitea();
      const error = await rejectsWith(provider.createPullRequest({ remote, title: 'Nothing', head: 'main', base: 'main' }, ctx()), 'FORGE_PROVIDER_REJECTED', fake.token);
      assert.match(String(error.details?.['hostMessage']), /no changes between the head and the base/);
    });

    it('maps a 429 with Retry-After to FORGE_PROVIDER_RATE_LIMITED with retryAfterSeconds, on a first or a later page', async () => {
      const { fake, host, ctx, open } = await gitea({ maxResponseItems: 2 });
      fake.rateLimitNext(30);
      const first = await rejectsWith(open('Add a greeting', head), 'FORGE_PROVIDER_RATE_LIMITED', fake.token);
      assert.equal(first.details?.['retryAfterSeconds'], 30);
      for (const n of [1, 2, 3]) await open(`Other ${n}`, `forge/other-${n}`);
      const context = ctx();
      const send = context.fetch;
      let sent = 0;
      context.fetch = (url, request) => {
        sent += 1;
        if (sent === 2) fake.rateLimitNext(45);
        return send(url, request);
      };
      const later = await rejectsWith(provider.findPullRequest!({ remote, head, base: 'main' }, context), 'FORGE_PROVIDER_RATE_LIMITED', fake.token);
      assert.equal(later.details?.['retryAfterSeconds'], 45);
      assert.deepEqual(pagesRead(host, 'repoListPullRequests'), ['1', '2']);
    });
  });
});
