import { GIT_PROVIDER_BRAND, type GitProvider } from '../git-provider.ts';
import { loadExchangeFixtures } from './exchanges.ts';
import { checkOptionKeys, checkPack, filePath, readPackageJson, suiteSetup, type CommonKitOptions } from './kit-options.ts';
import { describeValue } from './problems.ts';
import { gitProviderDefinitionSuite } from './suites/git-provider-definition.ts';
import { manifestSuite } from './suites/manifest.ts';
import { matchRemoteSuite, type RemoteExpectation } from './suites/match-remote.ts';
import { pullRequestSuite } from './suites/pull-requests.ts';
import type { Pack } from '../pack.ts';

export type { RemoteExpectation };

export interface GitProviderConformanceOptions extends CommonKitOptions {
  /** The pack's default export; its manifest is checked when `packageJson` is given too. */
  pack?: Pack;
  /** The provider to check; needed only when there is no pack, or the pack has several. */
  provider?: GitProvider;
  packageJson?: URL;
  /** Remote URLs and what matchRemote must read from each; include some it must reject (expected: null), and self-hosted ones (`anyHost: true`). */
  remotes: readonly RemoteExpectation[];
  /** The folder of recorded HTTP exchanges: `new URL('./exchanges/', import.meta.url)`. */
  exchanges: URL;
}

const KIT = 'gitProviderConformance';
const OPTION_KEYS = ['pack', 'provider', 'packageJson', 'remotes', 'exchanges', 'describe', 'it', 'timeoutMs'];

function chooseProvider(options: GitProviderConformanceOptions, pack: Pack | undefined): GitProvider {
  if (options.provider !== undefined) {
    const given = options.provider as unknown as Record<string, unknown> | null;
    if (given?.['$$type'] !== GIT_PROVIDER_BRAND) throw new TypeError(`${KIT}: provider must be a value returned by defineGitProvider(), received ${describeValue(given)}`);
    if (pack !== undefined && !pack.gitProviders.includes(options.provider)) throw new TypeError(`${KIT}: provider ${options.provider.id} is not one of the pack's git providers`);
    return options.provider;
  }
  const only = pack?.gitProviders.length === 1 ? pack.gitProviders[0] : undefined;
  if (only === undefined) throw new TypeError(`${KIT}: pass a pack with exactly one git provider, or name the one to check in "provider"`);
  return only;
}

function checkRemotes(remotes: unknown): readonly RemoteExpectation[] {
  const valid =
    Array.isArray(remotes) &&
    remotes.every((row) => typeof row?.url === 'string' && (row.expected === null || typeof row.expected === 'object') && (row.anyHost === undefined || typeof row.anyHost === 'boolean'));
  if (!valid) throw new TypeError(`${KIT}: remotes must be a list of { url, expected: { host, owner, repo } | null, anyHost?: boolean }`);
  if (!remotes.some((row: RemoteExpectation) => row.expected !== null)) throw new TypeError(`${KIT}: remotes must include at least one URL the provider serves`);
  return remotes;
}

/**
 * Registers the conformance suites for a git provider with the test runner: manifest (with a
 * pack and its package.json), definition, matchRemote, pull requests against recorded exchanges,
 * and the mapping of HTTP failures to error codes. Call it at the top level of a test file.
 */
export function gitProviderConformance(options: GitProviderConformanceOptions): void {
  checkOptionKeys(KIT, options, OPTION_KEYS);
  const pack = options.pack === undefined ? undefined : checkPack(KIT, options.pack);
  const provider = chooseProvider(options, pack);
  const remotes = checkRemotes(options.remotes);
  const fixtures = loadExchangeFixtures(filePath(KIT, 'exchanges', options.exchanges, "new URL('./exchanges/', import.meta.url)"));
  if (options.packageJson !== undefined && pack === undefined) throw new TypeError(`${KIT}: packageJson is checked against a pack; pass the pack too`);
  const file = options.packageJson === undefined ? undefined : filePath(KIT, 'packageJson', options.packageJson, "new URL('../package.json', import.meta.url)");
  const packageJson = file === undefined ? undefined : readPackageJson(KIT, file);
  const setup = suiteSetup(KIT, options);

  setup.describe(`git provider ${provider.id} conformance`, () => {
    if (file !== undefined && packageJson !== undefined && pack !== undefined) manifestSuite(setup, { file, packageJson, pack });
    gitProviderDefinitionSuite(setup, provider);
    matchRemoteSuite(setup, provider, remotes);
    pullRequestSuite(setup, provider, fixtures);
  });
}
