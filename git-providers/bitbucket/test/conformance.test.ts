import { gitProviderConformance } from '@forge-core/sdk/testing';
import pack from '../src/index.ts';

const widgets = { host: 'bitbucket.org', owner: 'acme', repo: 'widgets' };

// The exchanges are written in the shape of Bitbucket Cloud's REST API 2.0 answers
// (https://developer.atlassian.com/cloud/bitbucket/rest/), for workspace "acme", repository "widgets".
gitProviderConformance({
  pack,
  packageJson: new URL('../package.json', import.meta.url),
  exchanges: new URL('./exchanges/', import.meta.url),
  remotes: [
    { url: 'https://bitbucket.org/acme/widgets.git', expected: widgets },
    { url: 'https://bitbucket.org/acme/widgets', expected: widgets },
    { url: 'https://bitbucket.org/acme/widgets/', expected: widgets },
    { url: 'https://bitbucket.org/acme/widgets.git/', expected: widgets },
    { url: 'https://ana@bitbucket.org/acme/widgets.git', expected: widgets },
    { url: 'https://x-token-auth:s3cr@t:x@bitbucket.org/acme/widgets.git', expected: widgets },
    { url: 'https://BitBucket.ORG/acme/widgets.git', expected: widgets },
    { url: 'https://bitbucket.org:443/acme/widgets.git', expected: widgets },
    { url: 'http://bitbucket.org/acme/widgets.git', expected: widgets },
    { url: '  https://bitbucket.org/acme/widgets.git\n', expected: widgets },
    { url: 'https://www.bitbucket.org/acme/widgets.git', expected: { ...widgets, host: 'www.bitbucket.org' } },
    { url: 'ssh://git@bitbucket.org/acme/widgets.git', expected: widgets },
    { url: 'ssh://git@bitbucket.org/acme/widgets', expected: widgets },
    { url: 'ssh://git@bitbucket.org:22/acme/widgets.git', expected: widgets },
    { url: 'ssh://git@BITBUCKET.org:2222/acme/widgets.git', expected: widgets },
    { url: 'git@bitbucket.org:acme/widgets.git', expected: widgets },
    { url: 'git@bitbucket.org:acme/widgets', expected: widgets },
    { url: 'git@Bitbucket.Org:acme/widgets.git/', expected: widgets },
    { url: 'bitbucket.org:acme/widgets.git', expected: widgets },
    { url: 'https://bitbucket.org/Acme-Team_2/my.widgets-v2.git', expected: { host: 'bitbucket.org', owner: 'Acme-Team_2', repo: 'my.widgets-v2' } },
    // Other hosts are read only when configured as this provider's (anyHost).
    { url: 'https://github.com/acme/widgets.git', expected: null },
    { url: 'git@gitlab.com:acme/widgets.git', expected: null },
    { url: 'https://bitbucket.example.com/acme/widgets.git', expected: null },
    { url: 'https://bitbucket.org.evil.example/acme/widgets.git', expected: null },
    { url: 'https://evil.example/bitbucket.org/acme/widgets.git', expected: null },
    // Bitbucket Data Center's clone URLs: another API, not served.
    { url: 'https://bitbucket.example.com/scm/proj/widgets.git', expected: null },
    { url: 'ssh://git@bitbucket.example.com:7999/proj/widgets.git', expected: null },
    // Not workspace/repo_slug.
    { url: 'https://bitbucket.org/acme', expected: null },
    { url: 'https://bitbucket.org/acme/widgets/src/main/README.md', expected: null },
    { url: 'https://bitbucket.org/acme/widgets?at=main', expected: null },
    { url: 'https://bitbucket.org/acme/.git', expected: null },
    { url: 'https://bitbucket.org/../widgets.git', expected: null },
    { url: 'https://bitbucket.org/acme/wid%20gets.git', expected: null },
    { url: 'git@bitbucket.org:/acme/widgets.git', expected: null },
    { url: 'git@bitbucket.org:2222/acme/widgets.git', expected: null },
    { url: 'ftp://bitbucket.org/acme/widgets.git', expected: null },
  ],
});
