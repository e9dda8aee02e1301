import { gitProviderConformance } from '@forge-core/sdk/testing';
import pack from '../src/index.ts';

const widgets = { host: 'gitlab.com', owner: 'acme', repo: 'widgets' };
const nested = { host: 'gitlab.com', owner: 'acme/platform/tools', repo: 'widgets' };

// The exchanges follow GitLab's REST API v4 documentation and the recorded OpenAPI document in
// /work/shared/data (GitLab 19.5): merge requests, MR pipelines, commit statuses and notes.
gitProviderConformance({
  pack,
  packageJson: new URL('../package.json', import.meta.url),
  exchanges: new URL('./exchanges/', import.meta.url),
  remotes: [
    // https, with and without .git, credentials, a trailing slash, any letter case in the host
    { url: 'https://gitlab.com/acme/widgets.git', expected: widgets },
    { url: 'https://gitlab.com/acme/widgets', expected: widgets },
    { url: 'https://gitlab.com/acme/widgets/', expected: widgets },
    { url: 'https://gitlab.com/acme/widgets.git/', expected: widgets },
    { url: 'https://oauth2@gitlab.com/acme/widgets.git', expected: widgets },
    { url: 'https://ci-bot:glpat-not-a-real-token@GitLab.COM/acme/widgets.git', expected: widgets },
    { url: 'https://gitlab.com:443/acme/widgets.git', expected: widgets },
    { url: '  https://gitlab.com/acme/widgets.git\n', expected: widgets },
    // nested groups: the owner keeps every group
    { url: 'https://gitlab.com/acme/platform/tools/widgets.git', expected: nested },
    { url: 'git@gitlab.com:acme/platform/tools/widgets.git', expected: nested },
    { url: 'ssh://git@gitlab.com/acme/platform/tools/widgets', expected: nested },
    // ssh:// with and without a port, scp-like with and without a user
    { url: 'ssh://git@gitlab.com/acme/widgets.git', expected: widgets },
    { url: 'ssh://git@gitlab.com:22/acme/widgets.git', expected: widgets },
    { url: 'git@gitlab.com:acme/widgets.git', expected: widgets },
    { url: 'git@gitlab.com:acme/widgets', expected: widgets },
    { url: 'git@GITLAB.com:acme/widgets.git', expected: widgets },
    { url: 'gitlab.com:acme/widgets.git', expected: widgets },
    // GitLab.com's SSH over port 443 is gitlab.com's projects
    { url: 'ssh://git@altssh.gitlab.com:443/acme/widgets.git', expected: widgets },
    // names GitLab allows: dots, dashes, underscores
    { url: 'https://gitlab.com/acme-inc/my_project.v2.git', expected: { host: 'gitlab.com', owner: 'acme-inc', repo: 'my_project.v2' } },
    // not GitLab.com: another host is claimed only when it is configured as GitLab (anyHost)
    { url: 'https://github.com/acme/widgets.git', expected: null },
    { url: 'https://git.example.org/platform/core/api.server.git', expected: null },
    { url: 'git@git.example.org:platform/core/api.server.git', expected: null },
    { url: 'https://gitlab.com.evil.example/acme/widgets.git', expected: null },
    { url: 'https://notgitlab.com/acme/widgets.git', expected: null },
    // not a project: one segment, a web page of the project, other schemes, malformed
    { url: 'https://gitlab.com/acme', expected: null },
    { url: 'https://gitlab.com/acme/widgets/-/merge_requests/3', expected: null },
    { url: 'https://gitlab.com/acme/widgets/-/tree/main', expected: null },
    { url: 'https://gitlab.com/acme//widgets.git', expected: null },
    { url: 'https://gitlab.com/acme/../widgets.git', expected: null },
    { url: 'https://gitlab.com/acme/widgets.git?ref=main', expected: null },
    { url: 'ftp://gitlab.com/acme/widgets.git', expected: null },
    { url: 'git@gitlab.com:', expected: null },
  ],
});
