import assert from 'node:assert/strict';
import { parseGitRemote, type GitRemote } from '@forge-core/sdk';

const remote = (scheme: GitRemote['scheme'], host: string, port: number | null, ...segments: string[]): GitRemote => ({ scheme, host, port, segments });

describe('git-remote: one grammar of git remote URLs for every provider', () => {
  const forms: readonly [string, GitRemote][] = [
    // https and http, with credentials, a port, ".git", a trailing slash, any case in scheme and host
    ['https://github.com/acme/widgets.git', remote('https', 'github.com', null, 'acme', 'widgets')],
    ['https://github.com/acme/widgets', remote('https', 'github.com', null, 'acme', 'widgets')],
    ['https://github.com/acme/widgets/', remote('https', 'github.com', null, 'acme', 'widgets')],
    ['https://github.com/acme/widgets.git/', remote('https', 'github.com', null, 'acme', 'widgets')],
    ['HTTPS://GitHub.COM/Acme/Widgets.git', remote('https', 'github.com', null, 'Acme', 'Widgets')],
    ['https://x-access-token@github.com/acme/widgets.git', remote('https', 'github.com', null, 'acme', 'widgets')],
    ['https://ci:s3cr@t:x@bitbucket.org:8443/acme/widgets', remote('https', 'bitbucket.org', 8443, 'acme', 'widgets')],
    ['https://github.com:443/acme/widgets', remote('https', 'github.com', 443, 'acme', 'widgets')],
    ['https://github.com:/acme/widgets', remote('https', 'github.com', null, 'acme', 'widgets')],
    ['http://git.example.org:3000/platform/core/api.server.git', remote('http', 'git.example.org', 3000, 'platform', 'core', 'api.server')],
    ['https://gitlab.com/acme/platform/tools/widgets.git', remote('https', 'gitlab.com', null, 'acme', 'platform', 'tools', 'widgets')],
    ['https://git.example.org/widgets.git', remote('https', 'git.example.org', null, 'widgets')],
    ['  https://github.com/acme/widgets.git\n', remote('https', 'github.com', null, 'acme', 'widgets')],
    // ssh URLs
    ['ssh://git@github.com/acme/widgets.git', remote('ssh', 'github.com', null, 'acme', 'widgets')],
    ['SSH://git@SSH.GitHub.com:443/acme/widgets.git', remote('ssh', 'ssh.github.com', 443, 'acme', 'widgets')],
    ['ssh://gitlab.com/acme/widgets', remote('ssh', 'gitlab.com', null, 'acme', 'widgets')],
    // git's scp-like form, with or without a user
    ['git@github.com:acme/widgets.git', remote('ssh', 'github.com', null, 'acme', 'widgets')],
    ['org-1234567@GitHub.com:acme/widgets.git/', remote('ssh', 'github.com', null, 'acme', 'widgets')],
    ['gitea.com:gitea/tea.git', remote('ssh', 'gitea.com', null, 'gitea', 'tea')],
    ['git@codeberg.org:2222/forgejo/forgejo.git', remote('ssh', 'codeberg.org', null, '2222', 'forgejo', 'forgejo')],
    // hosts: IP addresses, internal names with "_", internationalized names
    ['https://10.0.0.7/acme/widgets.git', remote('https', '10.0.0.7', null, 'acme', 'widgets')],
    ['ssh://git@[0:0::1]:2222/acme/widgets', remote('ssh', '[::1]', 2222, 'acme', 'widgets')],
    ['git@[::1]:acme/widgets', remote('ssh', '[::1]', null, 'acme', 'widgets')],
    ['http://gitlab_web:8080/platform/core.git', remote('http', 'gitlab_web', 8080, 'platform', 'core')],
    ['https://Bücher.example/acme/widgets', remote('https', 'xn--bcher-kva.example', null, 'acme', 'widgets')],
    // segments are as written: a provider's name rules judge them
    ['https://github.com/acme/wid%20gets.git', remote('https', 'github.com', null, 'acme', 'wid%20gets')],
    ['https://github.com/acme/..', remote('https', 'github.com', null, 'acme', '..')],
    ['https://gitlab.com/acme/widgets/-/merge_requests/3', remote('https', 'gitlab.com', null, 'acme', 'widgets', '-', 'merge_requests', '3')],
    ['https://github.com/acme/widgets.git.git', remote('https', 'github.com', null, 'acme', 'widgets.git')],
    ['https://github.com/acme/widgets.GIT', remote('https', 'github.com', null, 'acme', 'widgets.GIT')],
  ];
  for (const [url, expected] of forms) {
    it(`reads ${JSON.stringify(url)} as ${expected.scheme} ${expected.host}${expected.port === null ? '' : `:${expected.port}`} ${expected.segments.join('/')}`, () => {
      assert.deepEqual(parseGitRemote(url), expected);
    });
  }

  const rejects: readonly [string, string][] = [
    ['', 'nothing'],
    ['garbage', 'no host'],
    [':::', 'no host'],
    ['https://', 'no host'],
    ['https:///acme/widgets', 'an empty host'],
    ['git@:acme/widgets', 'an empty host in the scp-like form'],
    ['@github.com:acme/widgets', 'an empty user in the scp-like form'],
    ['https://github.com', 'no path'],
    ['https://github.com/', 'an empty path'],
    ['git@gitlab.com:', 'an empty path in the scp-like form'],
    ['https://github.com/acme/.git', 'an empty name before ".git"'],
    ['https://gitlab.com/acme//widgets.git', 'an empty segment'],
    ['https://github.com//acme/widgets', 'an empty first segment'],
    ['https://github.com/acme/widgets//', 'an empty last segment'],
    ['https://github.com/acme/widgets?tab=readme', 'a query'],
    ['https://github.com/acme/widgets#readme', 'a fragment'],
    ['git@github.com:acme/widgets?x', 'a query in the scp-like form'],
    ['https://github.com/acme/wid gets', 'whitespace inside'],
    ['https://github.com/acme\\widgets', 'a backslash'],
    ['https://github.com:99999/acme/widgets', 'a port above 65535'],
    ['ssh://git@github.com:ssh/acme/widgets', 'a port that is no number'],
    ['https://bad-.example/acme/widgets', 'a host label ending in "-"'],
    ['https://a..b/acme/widgets', 'an empty host label'],
    ['https://[::g]/acme/widgets', 'a malformed IPv6 address'],
    ['git://github.com/acme/widgets.git', 'the git: scheme'],
    ['file:///srv/git/widgets.git', 'a file: URL'],
    ['ftp://github.com/acme/widgets.git', 'another scheme'],
    ['git+ssh://git@github.com/acme/widgets.git', 'another scheme, even one git reads as ssh'],
    ['file:srv/widgets.git', 'a file: URL without its slashes'],
    ['https:github.com/acme/widgets', 'an https URL without its slashes'],
    ['https://github.com:acme/widgets', 'a URL with the scp-like colon'],
    ['/srv/git/widgets.git', 'a local path'],
    ['./widgets', 'a relative local path'],
    ['C:/code/widgets', 'a Windows path'],
    ['C:\\code\\widgets', 'a Windows path with backslashes'],
    ['c:code/widgets', 'a Windows drive-relative path'],
    ['git@bitbucket.org:/acme/widgets.git', 'an absolute path in the scp-like form'],
    ['git@host/x:acme/widgets', 'a "/" before the scp-like colon (a local path)'],
  ];
  for (const [url, why] of rejects) {
    it(`answers null for ${JSON.stringify(url)}: ${why}`, () => {
      assert.equal(parseGitRemote(url), null);
    });
  }

  it('answers null, without throwing, for a value that is not a string', () => {
    for (const value of [undefined, null, 42, {}, ['https://github.com/acme/widgets']]) {
      assert.equal(parseGitRemote(value as unknown as string), null, String(value));
    }
  });
});
