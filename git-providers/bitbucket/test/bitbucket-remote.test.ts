import assert from 'node:assert/strict';
import { bitbucket } from '../src/index.ts';

describe('bitbucket remotes on hosts configured for this provider', () => {
  it('reads any host with the workspace/repo_slug grammar when the host is configured (anyHost)', () => {
    const expected = { host: 'bitbucket.example.test', owner: 'acme', repo: 'widgets' };
    for (const url of [
      'https://bitbucket.example.test/acme/widgets.git',
      'https://ci@Bitbucket.Example.Test:8443/acme/widgets',
      'ssh://git@bitbucket.example.test:2222/acme/widgets.git',
      'git@bitbucket.example.test:acme/widgets.git',
    ]) {
      assert.deepEqual(bitbucket.matchRemote(url, { anyHost: true }), expected, url);
      assert.equal(bitbucket.matchRemote(url), null, `${url} without anyHost`);
    }
  });

  it('keeps its path grammar on a configured host: no nested groups, no Data Center /scm/ paths', () => {
    for (const url of ['https://bitbucket.example.test/group/sub/widgets.git', 'https://bitbucket.example.test/scm/proj/widgets.git', 'garbage', 'file:///srv/git/repo.git']) {
      assert.equal(bitbucket.matchRemote(url, { anyHost: true }), null, url);
    }
  });

  it('answers api.bitbucket.org for bitbucket.org and /2.0 on any other host', () => {
    assert.equal(bitbucket.defaultApiUrl?.({ host: 'bitbucket.org', owner: 'acme', repo: 'widgets' }), 'https://api.bitbucket.org/2.0');
    assert.equal(bitbucket.defaultApiUrl?.({ host: 'www.bitbucket.org', owner: 'acme', repo: 'widgets' }), 'https://api.bitbucket.org/2.0');
    assert.equal(bitbucket.defaultApiUrl?.({ host: 'bitbucket.example.test', owner: 'acme', repo: 'widgets' }), 'https://bitbucket.example.test/2.0');
  });

  it('tells git to push with the user name Bitbucket documents for access tokens', () => {
    assert.deepEqual(bitbucket.auth, { env: 'BITBUCKET_TOKEN', gitUsername: 'x-token-auth' });
  });
});
