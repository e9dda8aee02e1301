import assert from 'node:assert/strict';
import { providerContextOver, rejection } from '@forge-core/openapi-fake-host';
import type { RemoteRef } from '@forge-core/sdk';
import { bitbucket } from '../src/index.ts';
import { startFakeBitbucket, type ProviderFake } from './support/fake-bitbucket.ts';

const remote: RemoteRef = { host: 'bitbucket.org', owner: 'acme', repo: 'widgets' };
const head = 'forge/1a2b3c4d-add-a-greeting';

describe('bitbucket provider against a stateful fake Bitbucket Cloud', () => {
  let fake: ProviderFake;
  const ctx = () => providerContextOver({ apiBaseUrl: fake.apiBaseUrl, token: fake.token });

  beforeEach(async () => {
    fake = await startFakeBitbucket();
  });

  afterEach(async () => {
    await fake.close();
  });

  /** Every request the fake was sent and every answer it gave held to Bitbucket's description; checked in the test, so a problem fails that test alone. */
  const clean = (body: () => Promise<void>) => async () => {
    await body();
    fake.host.assertClean();
  };

  it('follows a pull request from opening through failing and passing builds and a review to its merge', clean(async () => {
    const opened = await bitbucket.createPullRequest({ remote, title: 'Add a greeting', body: 'Written by Forge.', head, base: 'main' }, ctx());
    assert.deepEqual({ ...opened, headSha: undefined }, { number: 1, url: 'https://bitbucket.org/acme/widgets/pull-requests/1', state: 'open', title: 'Add a greeting', head, base: 'main', draft: false, headSha: undefined });
    assert.equal(fake.pullRequests()[0]?.headSha.slice(0, 12), opened.headSha);
    assert.deepEqual(await bitbucket.findPullRequest!({ remote, head, base: 'main' }, ctx()), opened);

    const ref = { remote, number: opened.number };
    assert.deepEqual(await bitbucket.getChecks!(ref, ctx()), { state: 'none', sha: opened.headSha, checks: [] });

    fake.setChecks(1, 'pending', { name: 'Pipeline' });
    const pending = await bitbucket.getChecks!(ref, ctx());
    assert.equal(pending.state, 'pending');
    assert.deepEqual(pending.checks.map((check) => [check.name, check.state]), [['Pipeline', 'pending']]);

    fake.setChecks(1, 'failure', { name: 'Pipeline', summary: 'npm test: 1 failing — says hello in French' });
    const failing = await bitbucket.getChecks!(ref, ctx());
    assert.equal(failing.state, 'failure');
    assert.equal(failing.checks[0]?.summary, 'npm test: 1 failing — says hello in French');
    assert.match(failing.checks[0]?.url ?? '', /^https:\/\/bitbucket\.org\/acme\/widgets\/pipelines\/results\//);

    // The agent pushes a fix: a new head commit, whose build passes. The failure stays on the old commit.
    const fixed = '3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f';
    fake.setHeadSha(1, fixed);
    fake.setChecks(1, 'success', { name: 'Pipeline' });
    assert.deepEqual(await bitbucket.getChecks!(ref, ctx()), { state: 'success', sha: fixed.slice(0, 12), checks: [{ name: 'Pipeline', state: 'success', url: 'https://bitbucket.org/acme/widgets/pipelines/results/PIPELINE' }] });

    fake.addReviewComment(1, { body: 'Looks right.' });
    fake.addReviewComment(1, { body: 'Say *bonjour* here.', path: 'src/greeting.ts', line: 14, author: 'Bea Lindqvist' });
    const comments = await bitbucket.listReviewComments!(ref, ctx());
    assert.deepEqual(
      comments.map(({ id, author, body, path, line }) => ({ id, author, body, path, line })),
      [
        { id: '1', author: 'Ana Souza', body: 'Looks right.', path: undefined, line: undefined },
        { id: '2', author: 'Bea Lindqvist', body: 'Say *bonjour* here.', path: 'src/greeting.ts', line: 14 },
      ],
    );
    assert.ok(comments.every((comment) => !Number.isNaN(Date.parse(comment.createdAt)) && comment.url?.startsWith('https://bitbucket.org/acme/widgets/pull-requests/1/')));

    fake.merge(1);
    assert.equal((await bitbucket.getPullRequest(ref, ctx())).state, 'merged');
    assert.equal((await bitbucket.findPullRequest!({ remote, head, base: 'main' }, ctx()))?.state, 'merged');
  }));

  it('answers a second pull request for the same branches with the host refusal, mapped to a code', clean(async () => {
    await bitbucket.createPullRequest({ remote, title: 'Add a greeting', head, base: 'main' }, ctx());
    const error = await rejection(bitbucket.createPullRequest({ remote, title: 'Add a greeting again', head, base: 'main' }, ctx()));
    assert.equal(error.code, 'FORGE_PROVIDER_REJECTED');
    assert.match(error.message, /already an open pull request/);
    assert.equal(error.details?.['status'], 400);
    assert.equal(fake.pullRequests().length, 1);
  }));

  it('opens a new pull request for a branch whose earlier one was declined, and finds the new one', clean(async () => {
    await bitbucket.createPullRequest({ remote, title: 'First try', head, base: 'main' }, ctx());
    fake.closePullRequest(1);
    assert.equal((await bitbucket.getPullRequest({ remote, number: 1 }, ctx())).state, 'closed');
    const second = await bitbucket.createPullRequest({ remote, title: 'Second try', head, base: 'main' }, ctx());
    assert.equal(second.number, 2);
    assert.deepEqual(await bitbucket.findPullRequest!({ remote, head, base: 'main' }, ctx()), second);
    assert.equal(await bitbucket.findPullRequest!({ remote, head, base: 'release' }, ctx()), null);
  }));

  it('reads every page of a long comment thread', clean(async () => {
    await bitbucket.createPullRequest({ remote, title: 'Add a greeting', head, base: 'main' }, ctx());
    for (let index = 1; index <= 205; index++) fake.addReviewComment(1, { body: `Note ${index}` });
    const comments = await bitbucket.listReviewComments!({ remote, number: 1 }, ctx());
    assert.deepEqual(comments.map((comment) => comment.body), Array.from({ length: 205 }, (_, index) => `Note ${index + 1}`));
    const pages = fake.host.requests.filter((request) => request.path.endsWith('/comments'));
    assert.deepEqual(pages.map((request) => request.query['page'] ?? '1'), ['1', '2', '3']);
  }));

  it('is refused with another token, and the token is not in the error', clean(async () => {
    const wrong = 'not-the-token-of-this-workspace';
    const error = await rejection(bitbucket.getPullRequest({ remote, number: 1 }, providerContextOver({ apiBaseUrl: fake.apiBaseUrl, token: wrong })));
    assert.equal(error.code, 'FORGE_PROVIDER_AUTH_FAILED');
    assert.ok(!`${error.message} ${JSON.stringify(error.details)}`.includes(wrong));
  }));

  it('is rate limited once when the host says so, with the wait it names, then served again', clean(async () => {
    await bitbucket.createPullRequest({ remote, title: 'Add a greeting', head, base: 'main' }, ctx());
    fake.rateLimitNext(7);
    const context = ctx();
    const error = await rejection(bitbucket.getPullRequest({ remote, number: 1 }, context));
    assert.equal(error.code, 'FORGE_PROVIDER_RATE_LIMITED');
    assert.equal(error.details?.['retryAfterSeconds'], 7);
    assert.ok(!`${error.message} ${JSON.stringify(error.details)}`.includes(fake.token));
    assert.equal((await bitbucket.getPullRequest({ remote, number: 1 }, context)).number, 1);
  }));
});
