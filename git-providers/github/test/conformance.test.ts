import { gitProviderConformance } from '@forge-core/sdk/testing';
import pack from '../src/index.ts';

const widgets = { host: 'github.com', owner: 'acme', repo: 'widgets' };

gitProviderConformance({
  pack,
  packageJson: new URL('../package.json', import.meta.url),
  exchanges: new URL('./exchanges/', import.meta.url),
  remotes: [
    // https, with and without .git, credentials, a trailing slash, any case in the host
    { url: 'https://github.com/acme/widgets.git', expected: widgets },
    { url: 'https://github.com/acme/widgets', expected: widgets },
    { url: 'https://github.com/acme/widgets/', expected: widgets },
    { url: 'https://github.com/acme/widgets.git/', expected: widgets },
    { url: 'https://x-access-token@github.com/acme/widgets.git', expected: widgets },
    { url: 'https://forge-bot:ghp_notARealToken000@GitHub.COM/acme/widgets.git', expected: widgets },
    { url: 'https://github.com:443/acme/widgets.git', expected: widgets },
    { url: 'http://github.com/acme/widgets', expected: widgets },
    { url: '  https://github.com/acme/widgets.git\n', expected: widgets },
    // ssh URLs, custom ports, SSH over the HTTPS port
    { url: 'ssh://git@github.com/acme/widgets.git', expected: widgets },
    { url: 'ssh://git@github.com:22/acme/widgets', expected: widgets },
    { url: 'ssh://git@ssh.github.com:443/acme/widgets.git', expected: widgets },
    { url: 'SSH://git@SSH.GitHub.com:443/acme/widgets.git', expected: widgets },
    // scp-like, including GitHub Enterprise Cloud's SSH certificate user (org-ID@github.com), and without a user
    { url: 'git@github.com:acme/widgets.git', expected: widgets },
    { url: 'git@github.com:acme/widgets', expected: widgets },
    { url: 'git@GITHUB.com:acme/widgets.git/', expected: widgets },
    { url: 'org-1234567@github.com:acme/widgets.git', expected: widgets },
    { url: 'github.com:acme/widgets.git', expected: widgets },
    // names GitHub allows: dots, dashes, underscores, a leading dot
    { url: 'https://github.com/Acme-Corp/my_repo.js.git', expected: { host: 'github.com', owner: 'Acme-Corp', repo: 'my_repo.js' } },
    { url: 'git@github.com:acme/.github.git', expected: { host: 'github.com', owner: 'acme', repo: '.github' } },
    // other hosts: GitHub Enterprise Server, GHE.com, look-alikes — only with anyHost (see github-remote.test.ts)
    { url: 'https://ghes.example.com/acme/widgets.git', expected: null },
    { url: 'git@ghes.example.com:acme/widgets.git', expected: null },
    { url: 'https://octo.ghe.com/acme/widgets.git', expected: null },
    { url: 'https://gitlab.com/acme/widgets.git', expected: null },
    { url: 'https://github.com.evil.example/acme/widgets.git', expected: null },
    { url: 'https://evilgithub.com/acme/widgets.git', expected: null },
    { url: 'https://github.com@evil.example/acme/widgets.git', expected: null },
    { url: 'https://api.github.com/repos/acme/widgets', expected: null },
    { url: 'https://gist.github.com/acme/widgets.git', expected: null },
    // SSH on port 443 only on ssh.github.com; ssh.github.com otherwise is not a remote we know
    { url: 'ssh://git@ssh.github.com/acme/widgets.git', expected: null },
    { url: 'https://ssh.github.com:443/acme/widgets.git', expected: null },
    // not exactly owner/repo
    { url: 'https://github.com/acme', expected: null },
    { url: 'https://github.com/acme/widgets/tree/main', expected: null },
    { url: 'https://github.com/acme/widgets/pull/12', expected: null },
    { url: 'git@github.com:widgets.git', expected: null },
    { url: 'https://github.com/acme/..', expected: null },
    { url: 'https://github.com/acme/.git', expected: null },
    { url: 'https://github.com/acme/widgets?tab=readme', expected: null },
    // not remotes GitHub serves
    { url: 'git://github.com/acme/widgets.git', expected: null },
    { url: 'file:///home/acme/widgets.git', expected: null },
    { url: 'C:/code/acme/widgets', expected: null },
  ],
});
