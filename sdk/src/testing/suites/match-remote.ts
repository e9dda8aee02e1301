import { isDeepStrictEqual } from 'node:util';
import type { GitProvider, RemoteRef } from '../../git-provider.ts';
import type { SuiteSetup } from '../kit-options.ts';
import { assertNoProblems, fail, thrownMessage } from '../problems.ts';

/** A remote URL and the repository the provider must read from it, or null when it is not the provider's. */
export interface RemoteExpectation {
  url: string;
  expected: RemoteRef | null;
  /** Read as a configured self-hosted instance's remote: `matchRemote(url, { anyHost: true })`. */
  anyHost?: boolean;
}

/** Remotes no provider serves: matchRemote runs on every remote of every project, so it must shrug these off. */
const NOT_A_REMOTE = ['', 'garbage', 'https://', ':::', '/srv/git/repo.git', 'file:///srv/git/repo.git'];

function matched(provider: GitProvider, url: string, anyHost = false): RemoteRef | null {
  try {
    return anyHost ? provider.matchRemote(url, { anyHost: true }) : provider.matchRemote(url);
  } catch (error) {
    return fail(`matchRemote(${JSON.stringify(url)}) threw`, [`${thrownMessage(error)}; answer null for a URL that is not the provider's`]);
  }
}

/** The provider's table of remotes, then the built-in ones it must reject. */
export function matchRemoteSuite(setup: SuiteSetup, provider: GitProvider, remotes: readonly RemoteExpectation[]): void {
  const { describe, it } = setup;
  describe('matchRemote', () => {
    for (const { url, expected, anyHost } of remotes) {
      const how = anyHost ? ' on a self-hosted instance' : '';
      it(`reads ${JSON.stringify(url)}${how} as ${expected === null ? 'not its own' : `${expected.host} ${expected.owner}/${expected.repo}`}`, async () => {
        const actual = matched(provider, url, anyHost);
        assertNoProblems(`matchRemote(${JSON.stringify(url)})`, isDeepStrictEqual(actual, expected) ? [] : [`returned ${JSON.stringify(actual)}; expected ${JSON.stringify(expected)}`]);
      });
    }

    it('answers null, without throwing, for what is not a remote of a code host, self-hosted or not', async () => {
      const wrong = NOT_A_REMOTE.flatMap((url) => [[url, matched(provider, url)] as const, [url, matched(provider, url, true)] as const]).filter(([, actual]) => actual !== null);
      assertNoProblems('matchRemote claimed URLs it cannot serve', wrong.map(([url, actual]) => `${JSON.stringify(url)} → ${JSON.stringify(actual)}`));
    });
  });
}
