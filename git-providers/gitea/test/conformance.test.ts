import { gitProviderConformance } from '@forge-core/sdk/testing';
import pack from '../src/index.ts';

const forgejo = { host: 'codeberg.org', owner: 'forgejo', repo: 'forgejo' };
const tea = { host: 'gitea.com', owner: 'gitea', repo: 'tea' };

// The exchanges follow Gitea's REST API v1 as the 1.20 spec (test/openapi) and the server's source
// describe it, with the answers Codeberg (Forgejo) gives: statuses from Forgejo Actions and
// Woodpecker, the zero-value combined status of a commit without any, 404/409/422 bodies.
gitProviderConformance({
  pack,
  packageJson: new URL('../package.json', import.meta.url),
  exchanges: new URL('./exchanges/', import.meta.url),
  remotes: [
    // https, with and without .git, a trailing slash, credentials, any letter case in the host, a port
    { url: 'https://codeberg.org/forgejo/forgejo.git', expected: forgejo },
    { url: 'https://codeberg.org/forgejo/forgejo', expected: forgejo },
    { url: 'https://codeberg.org/forgejo/forgejo/', expected: forgejo },
    { url: 'https://codeberg.org/forgejo/forgejo.git/', expected: forgejo },
    { url: 'https://oauth2@codeberg.org/forgejo/forgejo.git', expected: forgejo },
    { url: 'https://ci-bot:not-a-real-token@Codeberg.ORG/forgejo/forgejo.git', expected: forgejo },
    { url: 'https://codeberg.org:443/forgejo/forgejo.git', expected: forgejo },
    { url: '  https://codeberg.org/forgejo/forgejo.git\n', expected: forgejo },
    { url: 'https://gitea.com/gitea/tea.git', expected: tea },
    // ssh:// with and without a port, scp-like with and without a user
    { url: 'ssh://git@codeberg.org/forgejo/forgejo.git', expected: forgejo },
    { url: 'ssh://git@codeberg.org:22/forgejo/forgejo.git', expected: forgejo },
    { url: 'ssh://git@GITEA.com:2222/gitea/tea', expected: tea },
    { url: 'git@codeberg.org:forgejo/forgejo.git', expected: forgejo },
    { url: 'git@gitea.com:gitea/tea', expected: tea },
    { url: 'git@Gitea.COM:gitea/tea.git', expected: tea },
    { url: 'gitea.com:gitea/tea.git', expected: tea },
    // names Gitea allows: dots, dashes, underscores
    { url: 'https://codeberg.org/acme-inc/my_project.v2.git', expected: { host: 'codeberg.org', owner: 'acme-inc', repo: 'my_project.v2' } },
    // another host is claimed only when it is configured as a Gitea server (anyHost: test/remote-url.test.ts)
    { url: 'https://github.com/gitea/tea.git', expected: null },
    { url: 'https://git.example.org/platform/api.server.git', expected: null },
    { url: 'git@git.example.org:platform/api.server.git', expected: null },
    { url: 'ssh://git@try.gitea.io:2222/acme/widgets.git', expected: null },
    { url: 'https://codeberg.org.evil.example/forgejo/forgejo.git', expected: null },
    { url: 'https://notcodeberg.org/forgejo/forgejo.git', expected: null },
    // not a repository: one segment, a web page of the repository, nested paths, other schemes, malformed
    { url: 'https://codeberg.org/forgejo', expected: null },
    { url: 'https://codeberg.org/forgejo/forgejo/pulls/3', expected: null },
    { url: 'https://codeberg.org/forgejo/forgejo/src/branch/forgejo', expected: null },
    { url: 'https://codeberg.org/forgejo//forgejo.git', expected: null },
    { url: 'https://codeberg.org/forgejo/../forgejo.git', expected: null },
    { url: 'https://codeberg.org/forgejo/forgejo.git?ref=main', expected: null },
    { url: 'ftp://codeberg.org/forgejo/forgejo.git', expected: null },
    { url: 'git@codeberg.org:', expected: null },
    { url: 'git@codeberg.org:2222/forgejo/forgejo.git', expected: null },
  ],
});
