import assert from 'node:assert/strict';
import { github } from '../src/index.ts';

const widgets = (host: string) => ({ host, owner: 'acme', repo: 'widgets' });

describe('github remotes', () => {
  describe('matchRemote with anyHost (a host configured as GitHub Enterprise Server)', () => {
    const cases: [string, ReturnType<typeof widgets> | null][] = [
      ['https://ghes.example.com/acme/widgets.git', widgets('ghes.example.com')],
      ['https://ci:secret@GHES.Example.COM:8443/acme/widgets/', widgets('ghes.example.com')],
      ['ssh://git@ghes.example.com:2222/acme/widgets.git', widgets('ghes.example.com')],
      ['git@ghes.example.com:acme/widgets', widgets('ghes.example.com')],
      ['https://octo.ghe.com/acme/widgets.git', widgets('octo.ghe.com')],
      ['https://10.0.0.7/acme/widgets.git', widgets('10.0.0.7')],
      ['https://github.com/acme/widgets.git', widgets('github.com')],
      ['ssh://git@ssh.github.com:443/acme/widgets.git', widgets('github.com')],
      ['https://ghes.example.com/acme/widgets/pulls', null],
      ['https://ghes.example.com/acme', null],
      ['ftp://ghes.example.com/acme/widgets.git', null],
    ];
    for (const [url, expected] of cases) {
      it(`reads ${JSON.stringify(url)} as ${expected === null ? 'not a repository' : `${expected.host} acme/widgets`}`, () => {
        assert.deepEqual(github.matchRemote(url, { anyHost: true }), expected);
      });
    }

    it('answers null, without throwing, for what is not a remote even with anyHost', () => {
      for (const url of ['', 'garbage', 'https://', ':::', '/srv/git/repo.git', 'file:///srv/git/repo.git', 'C:/code/widgets', 'git@:acme/widgets']) {
        assert.equal(github.matchRemote(url, { anyHost: true }), null, url);
      }
    });

    it('claims another host only when asked', () => {
      assert.equal(github.matchRemote('https://ghes.example.com/acme/widgets.git', { anyHost: false }), null);
      assert.equal(github.matchRemote('https://ghes.example.com/acme/widgets.git'), null);
    });
  });

  describe('defaultApiUrl', () => {
    it('is api.github.com for GitHub.com', () => {
      assert.equal(github.defaultApiUrl?.(widgets('github.com')), 'https://api.github.com');
    });

    it('is /api/v3 on the host for GitHub Enterprise Server', () => {
      assert.equal(github.defaultApiUrl?.(widgets('ghes.example.com')), 'https://ghes.example.com/api/v3');
    });

    it('is api.SUBDOMAIN.ghe.com for GitHub Enterprise Cloud with data residency', () => {
      assert.equal(github.defaultApiUrl?.(widgets('octo.ghe.com')), 'https://api.octo.ghe.com');
    });
  });

  it('pushes over https as x-access-token with the token from GITHUB_TOKEN', () => {
    assert.deepEqual(github.auth, { env: 'GITHUB_TOKEN', gitUsername: 'x-access-token' });
  });
});
