import assert from 'node:assert/strict';
import { providerContextOver, rejection } from '@forge-core/openapi-fake-host';
import type { PullRequestRef, RemoteRef } from '@forge-core/sdk';
import { gitlab } from '../src/index.ts';
import { startFakeGitLab, type ProviderFake } from './support/fake-gitlab.ts';

const remote: RemoteRef = { host: 'gitlab.example.org', owner: 'acme/platform', repo: 'widgets' };
const HEAD = 'forge/1a2b3c4d-add-a-greeting';

/** The rejection of a call, which must happen. */
describe('gitlab provider, a merge request from opening to merge (stateful fake GitLab)', () => {
  let fake: ProviderFake;

  beforeEach(async () => {
    fake = await startFakeGitLab({ owner: 'acme/platform', repo: 'widgets' });
  });

  afterEach(async () => {
    await fake.close();
  });

  it('opens it, follows its checks from pending to failure to success, reads a review comment and sees it merged', async () => {
    const ctx = providerContextOver({ apiBaseUrl: fake.apiBaseUrl, token: fake.token });
    const opened = await gitlab.createPullRequest({ remote, title: 'Add a greeting', body: 'Written by Forge attempt 1a2b3c4d.', head: HEAD, base: 'main' }, ctx);
    const [stored] = fake.pullRequests();
    assert.deepEqual(opened, {
      number: 1,
      url: `${new URL(fake.apiBaseUrl).origin}/acme/platform/widgets/-/merge_requests/1`,
      state: 'open',
      title: 'Add a greeting',
      head: HEAD,
      base: 'main',
      draft: false,
      headSha: stored?.headSha,
    });
    assert.deepEqual(fake.pullRequests(), [{ number: 1, head: HEAD, base: 'main', state: 'open', title: 'Add a greeting', body: 'Written by Forge attempt 1a2b3c4d.', draft: false, headSha: opened.headSha }]);
    assert.deepEqual(await gitlab.findPullRequest!({ remote, head: HEAD, base: 'main' }, ctx), opened);

    const ref: PullRequestRef = { remote, number: opened.number };
    assert.deepEqual(await gitlab.getChecks!(ref, ctx), { state: 'none', sha: opened.headSha, checks: [] });

    fake.setChecks(1, 'pending');
    const pending = await gitlab.getChecks!(ref, ctx);
    assert.equal(pending.state, 'pending');
    assert.deepEqual(pending.checks.map((check) => [check.name, check.state]), [['test', 'pending']]);

    fake.setChecks(1, 'failure', { summary: "test/greeting.test.ts: expected 'Hello, world' to equal 'Hello world'" });
    const failed = await gitlab.getChecks!(ref, ctx);
    assert.equal(failed.state, 'failure');
    assert.equal(failed.checks[0]?.summary, "test/greeting.test.ts: expected 'Hello, world' to equal 'Hello world'");
    assert.match(failed.checks[0]?.url ?? '', /\/acme\/platform\/widgets\/-\/jobs\/\d+$/);

    const fixed = 'b7e6d5c4b3a2918070605040302010f0e0d0c0b0';
    fake.setHeadSha(1, fixed);
    assert.deepEqual(await gitlab.getChecks!(ref, ctx), { state: 'none', sha: fixed, checks: [] }, 'the failure belongs to the old head commit');
    fake.setChecks(1, 'success');
    fake.setChecks(1, 'success', { name: 'lint' });
    const passed = await gitlab.getChecks!(ref, ctx);
    assert.deepEqual({ ...passed, checks: passed.checks.map(({ name, state }) => ({ name, state })) }, { state: 'success', sha: fixed, checks: [{ name: 'test', state: 'success' }, { name: 'lint', state: 'success' }] });
    assert.equal((await gitlab.getPullRequest(ref, ctx)).headSha, fixed);

    fake.addReviewComment(1, { body: 'Say "Hello, world" with the comma.', path: 'src/greeting.ts', line: 12, author: 'alice' });
    fake.addReviewComment(1, { body: 'Looks good otherwise.', author: 'bob' });
    const comments = await gitlab.listReviewComments!(ref, ctx);
    assert.deepEqual(
      comments.map(({ author, body, path, line }) => ({ author, body, path, line })),
      [
        { author: 'alice', body: 'Say "Hello, world" with the comma.', path: 'src/greeting.ts', line: 12 },
        { author: 'bob', body: 'Looks good otherwise.', path: undefined, line: undefined },
      ],
      'the system note of the new commit is not a review comment',
    );
    for (const comment of comments) {
      assert.match(comment.id, /^\d+$/);
      assert.equal(comment.url, `${opened.url}#note_${comment.id}`);
      assert.ok(!Number.isNaN(Date.parse(comment.createdAt)));
    }

    fake.merge(1);
    const merged = await gitlab.getPullRequest(ref, ctx);
    assert.equal(merged.state, 'merged');
    assert.deepEqual(await gitlab.findPullRequest!({ remote, head: HEAD, base: 'main' }, ctx), merged);
    fake.host.assertClean();
  });

  it('answers a second merge request for the same branch with GitLab\'s conflict, as FORGE_PROVIDER_CONFLICT', async () => {
    const ctx = providerContextOver({ apiBaseUrl: fake.apiBaseUrl, token: fake.token });
    await gitlab.createPullRequest({ remote, title: 'Add a greeting', head: HEAD, base: 'main' }, ctx);
    const error = await rejection(gitlab.createPullRequest({ remote, title: 'Add a greeting, again', head: HEAD, base: 'main' }, ctx));
    assert.equal(error.code, 'FORGE_PROVIDER_CONFLICT');
    assert.equal(error.details?.['status'], 409);
    assert.equal(error.details?.['hostMessage'], 'Another open merge request already exists for this source branch: !1');
    assert.equal(fake.pullRequests().length, 1);
    fake.host.assertClean();
  });

  it('opens a draft with GitLab\'s title marker and reads it back as a draft without it', async () => {
    const ctx = providerContextOver({ apiBaseUrl: fake.apiBaseUrl, token: fake.token });
    const draft = await gitlab.createPullRequest({ remote, title: 'Split the parser', head: 'forge/5e6f-split', base: 'main', draft: true }, ctx);
    assert.equal(fake.pullRequests()[0]?.title, 'Draft: Split the parser');
    assert.equal(fake.pullRequests()[0]?.draft, true);
    assert.deepEqual([draft.draft, draft.title], [true, 'Split the parser']);
    fake.host.assertClean();
  });

  it('finds the newest merge request of a branch, a closed one too, and none for another branch', async () => {
    const ctx = providerContextOver({ apiBaseUrl: fake.apiBaseUrl, token: fake.token });
    const first = await gitlab.createPullRequest({ remote, title: 'First try', head: HEAD, base: 'main' }, ctx);
    fake.closePullRequest(first.number);
    assert.equal((await gitlab.findPullRequest!({ remote, head: HEAD, base: 'main' }, ctx))?.state, 'closed');
    const second = await gitlab.createPullRequest({ remote, title: 'Second try', head: HEAD, base: 'main' }, ctx);
    assert.deepEqual(await gitlab.findPullRequest!({ remote, head: HEAD, base: 'main' }, ctx), second);
    assert.equal(await gitlab.findPullRequest!({ remote, head: HEAD, base: 'develop' }, ctx), null);
    assert.equal(await gitlab.findPullRequest!({ remote, head: 'forge/other', base: 'main' }, ctx), null);
    fake.host.assertClean();
  });

  it('maps a wrong token and a rate limit to their codes, and never shows the token', async () => {
    const wrongToken = 'glpat-this-is-not-the-right-one';
    const refused = await rejection(gitlab.getPullRequest({ remote, number: 1 }, providerContextOver({ apiBaseUrl: fake.apiBaseUrl, token: wrongToken })));
    assert.equal(refused.code, 'FORGE_PROVIDER_AUTH_FAILED');
    assert.equal(refused.details?.['hostMessage'], '401 Unauthorized');

    const ctx = providerContextOver({ apiBaseUrl: fake.apiBaseUrl, token: fake.token });
    await gitlab.createPullRequest({ remote, title: 'Add a greeting', head: HEAD, base: 'main' }, ctx);
    fake.rateLimitNext(42);
    const limited = await rejection(gitlab.getPullRequest({ remote, number: 1 }, ctx));
    assert.equal(limited.code, 'FORGE_PROVIDER_RATE_LIMITED');
    assert.equal(limited.details?.['retryAfterSeconds'], 42);
    assert.equal((await gitlab.getPullRequest({ remote, number: 1 }, ctx)).number, 1, 'the limit lasts one request');

    for (const error of [refused, limited]) {
      const visible = `${error.message} ${JSON.stringify(error.details)}`;
      assert.ok(!visible.includes(fake.token) && !visible.includes(wrongToken), `the token is in: ${visible}`);
    }
    fake.host.assertClean();
  });

  it('finds nothing in another project', async () => {
    const ctx = providerContextOver({ apiBaseUrl: fake.apiBaseUrl, token: fake.token });
    const error = await rejection(gitlab.getPullRequest({ remote: { ...remote, owner: 'acme' }, number: 1 }, ctx));
    assert.equal(error.code, 'FORGE_PROVIDER_NOT_FOUND');
    assert.equal(error.details?.['hostMessage'], '404 Project Not Found');
    fake.host.assertClean();
  });
});
