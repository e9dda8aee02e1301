import assert from 'node:assert/strict';
import { giteaProvider } from '../src/index.ts';

const server = { host: 'git.example.org', owner: 'platform', repo: 'api.server' };

describe('gitea remotes of a self-hosted server (anyHost)', () => {
  const claimed: [string, typeof server][] = [
    ['https://git.example.org/platform/api.server.git', server],
    ['https://git.example.org:3000/platform/api.server', server],
    ['http://GIT.example.org:3000/platform/api.server.git/', server],
    ['https://forge:secret@git.example.org/platform/api.server.git', server],
    ['ssh://git@git.example.org:2222/platform/api.server.git', server],
    ['ssh://gitea@Git.Example.Org/platform/api.server', server],
    ['git@git.example.org:platform/api.server.git', server],
  ];
  for (const [url, expected] of claimed) {
    it(`reads ${url} with the owner/repo grammar`, () => {
      assert.deepEqual(giteaProvider.matchRemote(url, { anyHost: true }), expected);
    });
  }

  it('claims the same remotes of a host that is not configured as Gitea only with anyHost', () => {
    for (const [url] of claimed) assert.equal(giteaProvider.matchRemote(url), null, url);
  });

  const refused = [
    'https://git.example.org/platform',
    'https://git.example.org/gitea/platform/api.server.git',
    'https://git.example.org/platform/api.server/pulls/3',
    'https://git.example.org/platform/api server.git',
    'ftp://git.example.org/platform/api.server.git',
    '',
    'garbage',
    'https://',
    ':::',
    '/srv/git/repo.git',
    'file:///srv/git/repo.git',
  ];
  for (const url of refused) {
    it(`answers null for ${JSON.stringify(url)} even with anyHost`, () => {
      assert.equal(giteaProvider.matchRemote(url, { anyHost: true }), null);
    });
  }
});

describe('gitea default API URL', () => {
  it('is /api/v1 on the remote host, public or self-hosted', () => {
    assert.equal(giteaProvider.defaultApiUrl?.({ host: 'codeberg.org', owner: 'forgejo', repo: 'forgejo' }), 'https://codeberg.org/api/v1');
    assert.equal(giteaProvider.defaultApiUrl?.(server), 'https://git.example.org/api/v1');
  });
});
