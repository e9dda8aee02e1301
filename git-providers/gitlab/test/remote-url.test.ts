import assert from 'node:assert/strict';
import { gitlab } from '../src/index.ts';

const core = { host: 'git.example.org', owner: 'platform/core', repo: 'api.server' };

// The conformance kit reads remotes as the public host only; these are the self-managed reading.
describe('gitlab matchRemote with anyHost (GitLab self-managed)', () => {
  const cases: readonly [string, typeof core | null][] = [
    ['https://git.example.org/platform/core/api.server.git', core],
    ['https://Deploy-Bot:secret@GIT.Example.ORG:8443/platform/core/api.server/', core],
    ['http://git.example.org/platform/core/api.server.git', core],
    ['ssh://git@git.example.org:2222/platform/core/api.server.git', core],
    ['git@git.example.org:platform/core/api.server', core],
    ['git@gitlab.com:acme/widgets.git', { host: 'gitlab.com', owner: 'acme', repo: 'widgets' }],
    ['https://git.example.org/platform', null],
    ['https://git.example.org/platform/core/api.server/-/merge_requests/7', null],
    ['https://git.example.org/-/ide/project/platform/core', null],
    ['http://gitlab_web:8080/platform/core/api.server.git', { ...core, host: 'gitlab_web' }],
    ['C:/src/platform/core.git', null],
    ['file:///srv/git/platform/core.git', null],
  ];
  for (const [url, expected] of cases) {
    it(`reads ${JSON.stringify(url)} as ${expected === null ? 'no project' : `${expected.host} ${expected.owner}/${expected.repo}`}`, () => {
      assert.deepEqual(gitlab.matchRemote(url, { anyHost: true }), expected);
    });
  }

  it('answers null for what is not a remote, without throwing', () => {
    for (const url of ['', 'garbage', 'https://', ':::', '/srv/git/repo.git', 'file:///srv/git/repo.git', 'git@:a/b', '@host:a/b']) {
      assert.equal(gitlab.matchRemote(url, { anyHost: true }), null, url);
    }
  });

  it('puts the API of any host at /api/v4 on that host', () => {
    assert.equal(gitlab.defaultApiUrl?.(core), 'https://git.example.org/api/v4');
    assert.equal(gitlab.defaultApiUrl?.({ host: 'gitlab.com', owner: 'acme', repo: 'widgets' }), 'https://gitlab.com/api/v4');
  });
});
