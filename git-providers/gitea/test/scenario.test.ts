import assert from 'node:assert/strict';
import { providerContextOver } from '@forge-core/openapi-fake-host';
import { ForgeError, type RemoteRef } from '@forge-core/sdk';
import { giteaProvider } from '../src/index.ts';
import { startFakeGitea, type ProviderFake } from './support/fake-gitea.ts';

const remote: RemoteRef = { host: 'gitea.example.org', owner: 'acme', repo: 'widgets' };
const head = 'forge/1a2b3c4d-add-a-greeting';

describe('gitea provider: a pull request on a stateful Gitea', () => {
  let gitea: ProviderFake;
  beforeEach(async () => {
    gitea = await startFakeGitea();
  });
  afterEach(async () => {
    const host = gitea.host;
    await gitea.close();
    host.assertClean();
  });

  const ctx = () => providerContextOver({ apiBaseUrl: gitea.apiBaseUrl, token: gitea.token });

  it('follows a pull request from opening to merge: checks pending, failing with a summary, passing, a review comment, merged', async () => {
    const opened = await giteaProvider.createPullRequest({ remote, title: 'Add a greeting', body: 'Written by Forge.', head, base: 'main' }, ctx());
    assert.equal(opened.state, 'open');
    assert.deepEqual(gitea.pullRequests().map(({ number, head: branch, state }) => ({ number, head: branch, state })), [{ number: opened.number, head, state: 'open' }]);
    const ref = { remote, number: opened.number };

    assert.deepEqual(await giteaProvider.getChecks!(ref, ctx()), { state: 'none', sha: opened.headSha, checks: [] });

    gitea.setChecks(opened.number, 'pending');
    assert.equal((await giteaProvider.getChecks!(ref, ctx())).state, 'pending');

    gitea.setChecks(opened.number, 'failure', { summary: 'test/greet.test.js: expected "Hello, Ada" but got "Hello,Ada"' });
    const failing = await giteaProvider.getChecks!(ref, ctx());
    assert.equal(failing.state, 'failure');
    assert.deepEqual(failing.checks.map(({ name, state, summary }) => ({ name, state, summary })), [
      { name: 'ci / test (pull_request)', state: 'failure', summary: 'test/greet.test.js: expected "Hello, Ada" but got "Hello,Ada"' },
    ]);

    const fixedSha = 'f'.repeat(40);
    gitea.setHeadSha(opened.number, fixedSha);
    assert.equal((await giteaProvider.getChecks!(ref, ctx())).state, 'none', 'a new head commit starts without checks');
    gitea.setChecks(opened.number, 'success');
    const passing = await giteaProvider.getChecks!(ref, ctx());
    assert.deepEqual({ state: passing.state, sha: passing.sha }, { state: 'success', sha: fixedSha });
    assert.deepEqual(passing.checks.map(({ name, state, summary }) => ({ name, state, summary })), [{ name: 'ci / test (pull_request)', state: 'success', summary: undefined }]);
    assert.match(passing.checks[0]?.url ?? '', /\/acme\/widgets\/actions\/runs\/\d+\/jobs\/0$/);

    gitea.addReviewComment(opened.number, { body: 'Keep the comma.', path: 'src/greet.js', line: 3, author: 'ana' });
    gitea.addReviewComment(opened.number, { body: 'Looks good otherwise.', author: 'ana' });
    const comments = await giteaProvider.listReviewComments!(ref, ctx());
    assert.deepEqual(
      comments.map(({ author, body, path, line }) => ({ author, body, path, line })),
      [
        { author: 'ana', body: 'Keep the comma.', path: 'src/greet.js', line: 3 },
        { author: 'ana', body: 'Looks good otherwise.', path: undefined, line: undefined },
      ],
    );
    assert.equal(new Set(comments.map((comment) => comment.id)).size, 2);

    gitea.merge(opened.number);
    const merged = await giteaProvider.getPullRequest(ref, ctx());
    assert.deepEqual({ state: merged.state, headSha: merged.headSha, url: merged.url }, { state: 'merged', headSha: fixedSha, url: opened.url });
  });

  it('finds the pull request it opened, as after a restart, and none for another base', async () => {
    const opened = await giteaProvider.createPullRequest({ remote, title: 'Add a greeting', head, base: 'main' }, ctx());
    assert.deepEqual(await giteaProvider.findPullRequest!({ remote, head, base: 'main' }, ctx()), opened);
    assert.equal(await giteaProvider.findPullRequest!({ remote, head, base: 'develop' }, ctx()), null);
  });

  it('opens a draft as a "WIP: " title, which the host counts as a draft', async () => {
    const opened = await giteaProvider.createPullRequest({ remote, title: 'Split the parser', head, base: 'main', draft: true }, ctx());
    assert.deepEqual({ title: opened.title, draft: opened.draft }, { title: 'Split the parser', draft: true });
    assert.deepEqual(gitea.pullRequests().map(({ title, draft }) => ({ title, draft })), [{ title: 'WIP: Split the parser', draft: true }]);
  });

  it('answers a second pull request for the same branch with Gitea\'s "already exists" conflict', async () => {
    await giteaProvider.createPullRequest({ remote, title: 'Add a greeting', head, base: 'main' }, ctx());
    const second = giteaProvider.createPullRequest({ remote, title: 'Add a greeting, again', head, base: 'main' }, ctx());
    await assert.rejects(second, (error: unknown) => {
      assert.ok(error instanceof ForgeError);
      assert.equal(error.code, 'FORGE_PROVIDER_CONFLICT');
      assert.match(String(error.details?.['hostMessage']), /^pull request already exists for these targets/);
      return true;
    });
    assert.equal(gitea.pullRequests().length, 1);
  });

  it('opens a new pull request for a branch whose earlier one was closed', async () => {
    const first = await giteaProvider.createPullRequest({ remote, title: 'Add a greeting', head, base: 'main' }, ctx());
    gitea.closePullRequest(first.number);
    const second = await giteaProvider.createPullRequest({ remote, title: 'Add a greeting', head, base: 'main' }, ctx());
    assert.notEqual(second.number, first.number);
    assert.equal((await giteaProvider.getPullRequest({ remote, number: first.number }, ctx())).state, 'closed');
    assert.equal((await giteaProvider.findPullRequest!({ remote, head, base: 'main' }, ctx()))?.number, second.number);
  });
});
