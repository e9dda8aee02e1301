// @ts-check
import { gitProviderConformance } from '@forge-core/sdk/testing';
import pack from '../src/index.js';

const widgets = { host: 'git.example.test', owner: 'acme', repo: 'widgets' };

// git.example.test is fictional: the exchanges are written in the shape of its Gitea-like API.
gitProviderConformance({
  pack,
  packageJson: new URL('../package.json', import.meta.url),
  exchanges: new URL('./exchanges/', import.meta.url),
  remotes: [
    { url: 'https://git.example.test/acme/widgets.git', expected: widgets },
    { url: 'https://git.example.test/acme/widgets', expected: widgets },
    { url: 'https://ci-bot@GIT.EXAMPLE.TEST/acme/widgets.git', expected: widgets },
    { url: 'ssh://git@git.example.test/acme/widgets.git', expected: widgets },
    { url: 'ssh://git@git.example.test:2222/acme/widgets.git', expected: widgets },
    { url: 'git@git.example.test:acme/widgets.git', expected: widgets },
    { url: 'https://github.com/acme/widgets.git', expected: null },
    { url: 'https://git.example.test.evil.com/acme/widgets.git', expected: null },
    { url: 'https://git.example.test/acme', expected: null },
  ],
});
