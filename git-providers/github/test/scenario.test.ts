import assert from 'node:assert/strict';
import { providerContextOver, rejection } from '@forge-core/openapi-fake-host';
import type { RemoteRef } from '@forge-core/sdk';
import { github } from '../src/index.ts';
import { startFakeGitHub, type ProviderFake } from './support/fake-github.ts';

const remote: RemoteRef = { host: 'github.com', owner: 'acme', repo: 'widgets' };
const head = 'forge/1a2b3c4d-add-a-greeting';

describe('github provider through a stateful fake GitHub', () => {
  let fake: ProviderFake;
  const ctx = (token: string | null = fake.token) => providerContextOver({ apiBaseUrl: fake.apiBaseUrl, token });
  const open = () => github.createPullRequest({ remote, title: 'Add a greeting', body: 'Written by Forge.', head, base: 'main' }, ctx());

  beforeEach(async () => {
    fake = await startFakeGitHub();
  });

  afterEach(async () => {
    try {
      fake.host.assertClean();
    } finally {
      await fake.close();
    }
  });

  it('follows a pull request from opening to merge: checks pending, failing with a summary, passing; a comment on a line; merged', async () => {
    const opened = await open();
    assert.equal(opened.state, 'open');
    assert.deepEqual(fake.pullRequests().map(({ number, head: branch, base, title, body, draft }) => ({ number, head: branch, base, title, body, draft })), [
      { number: opened.number, head, base: 'main', title: 'Add a greeting', body: 'Written by Forge.', draft: false },
    ]);
    const ref = { remote, number: opened.number };
    assert.deepEqual(await github.getChecks!(ref, ctx()), { state: 'none', sha: opened.headSha, checks: [] });

    fake.setChecks(opened.number, 'pending', { name: 'test' });
    assert.equal((await github.getChecks!(ref, ctx())).state, 'pending');

    fake.setChecks(opened.number, 'failure', { name: 'test', summary: '1 of 12 tests failed: greeting says hello' });
    const failing = await github.getChecks!(ref, ctx());
    assert.equal(failing.state, 'failure');
    assert.equal(failing.checks.length, 1);
    assert.equal(failing.checks[0]?.state, 'failure');
    assert.match(failing.checks[0]?.summary ?? '', /1 of 12 tests failed: greeting says hello/);

    fake.setHeadSha(opened.number, '0123456789abcdef0123456789abcdef01234567');
    fake.setChecks(opened.number, 'success', { name: 'test' });
    const passing = await github.getChecks!(ref, ctx());
    assert.deepEqual([passing.state, passing.sha, passing.checks.map((check) => check.state)], ['success', '0123456789abcdef0123456789abcdef01234567', ['success']]);

    fake.addReviewComment(opened.number, { body: 'Say "Hello, world" here.', path: 'src/greeting.ts', line: 2, author: 'monalisa' });
    fake.addReviewComment(opened.number, { body: 'Looks good otherwise.' });
    const comments = await github.listReviewComments!(ref, ctx());
    assert.deepEqual(
      comments.map(({ author, body, path, line }) => ({ author, body, path, line })),
      [
        { author: 'monalisa', body: 'Say "Hello, world" here.', path: 'src/greeting.ts', line: 2 },
        { author: 'octocat', body: 'Looks good otherwise.', path: undefined, line: undefined },
      ],
    );

    fake.merge(opened.number);
    assert.equal((await github.getPullRequest(ref, ctx())).state, 'merged');
  });

  it('finds the pull request it opened by its head and base, and nothing for another base', async () => {
    const opened = await open();
    assert.deepEqual(await github.findPullRequest!({ remote, head, base: 'main' }, ctx()), opened);
    assert.equal(await github.findPullRequest!({ remote, head, base: 'develop' }, ctx()), null);
  });

  it('finds a closed pull request too, as closed', async () => {
    const opened = await open();
    fake.closePullRequest(opened.number);
    assert.equal((await github.findPullRequest!({ remote, head, base: 'main' }, ctx()))?.state, 'closed');
    assert.equal((await github.getPullRequest({ remote, number: opened.number }, ctx())).state, 'closed');
  });

  it('answers a second opening for the same branch with GitHub\'s "already exists" error, as FORGE_PROVIDER_REJECTED', async () => {
    await open();
    const error = await rejection(open());
    assert.equal(error.code, 'FORGE_PROVIDER_REJECTED');
    assert.equal(error.details?.['status'], 422);
    assert.match(String(error.details?.['hostMessage']), /A pull request already exists for acme:forge\/1a2b3c4d-add-a-greeting/);
    assert.equal(fake.pullRequests().length, 1);
  });

  it('maps the rate limit to FORGE_PROVIDER_RATE_LIMITED with the wait GitHub asks for, then answers again', async () => {
    const opened = await open();
    fake.rateLimitNext(17);
    const error = await rejection(github.getPullRequest({ remote, number: opened.number }, ctx()));
    assert.equal(error.code, 'FORGE_PROVIDER_RATE_LIMITED');
    assert.equal(error.details?.['retryAfterSeconds'], 17);
    assert.equal((await github.getPullRequest({ remote, number: opened.number }, ctx())).number, opened.number);
  });

  it('refuses another token with GitHub\'s 401, without the token in the error', async () => {
    const wrong = 'ghp_notTheFakesToken0000000000000000000';
    const error = await rejection(github.getPullRequest({ remote, number: 1 }, ctx(wrong)));
    assert.equal(error.code, 'FORGE_PROVIDER_AUTH_FAILED');
    assert.ok(!`${error.message} ${JSON.stringify(error.details)}`.includes(wrong));
  });

  it('answers a missing pull request as FORGE_PROVIDER_NOT_FOUND', async () => {
    const error = await rejection(github.getChecks!({ remote, number: 99 }, ctx()));
    assert.equal(error.code, 'FORGE_PROVIDER_NOT_FOUND');
  });
});
