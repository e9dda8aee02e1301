import { GIT_PROVIDER_BRAND, GIT_PROVIDER_CAPABILITIES, GIT_PROVIDER_ID_PATTERN, type GitProvider } from '../../git-provider.ts';
import { ENV_VAR_NAME_PATTERN } from '../../options.ts';
import { CONTRACT_MAJOR } from '../../version.ts';
import type { SuiteSetup } from '../kit-options.ts';
import { assertNoProblems, describeValue } from '../problems.ts';
import { capabilityProblems } from './capabilities.ts';


/** What the host checks when it registers the provider. */
export function gitProviderDefinitionSuite(setup: SuiteSetup, provider: GitProvider): void {
  const { describe, it } = setup;
  const raw = provider as unknown as Record<string, unknown>;
  describe('definition', () => {
    it('is branded by defineGitProvider() for this contract', async () => {
      const problems: string[] = [];
      if (raw['$$type'] !== GIT_PROVIDER_BRAND) problems.push(`$$type is ${describeValue(raw['$$type'])}, not "${GIT_PROVIDER_BRAND}"; wrap the definition in defineGitProvider()`);
      if (raw['contractVersion'] !== CONTRACT_MAJOR) problems.push(`contractVersion is ${describeValue(raw['contractVersion'])}, not ${CONTRACT_MAJOR}`);
      assertNoProblems('the provider is not a defineGitProvider() value', problems);
    });

    it('has an id, a display name and a token variable the host accepts', async () => {
      const problems: string[] = [];
      if (typeof raw['id'] !== 'string' || !GIT_PROVIDER_ID_PATTERN.test(raw['id'])) problems.push(`id ${describeValue(raw['id'])} does not match ${GIT_PROVIDER_ID_PATTERN}`);
      if (typeof raw['displayName'] !== 'string' || raw['displayName'].trim() === '') problems.push('displayName must be a non-empty string');
      const env = (raw['auth'] as { env?: unknown } | undefined)?.env;
      if (typeof env !== 'string' || !ENV_VAR_NAME_PATTERN.test(env)) problems.push(`auth.env must name an environment variable, received ${describeValue(env)}`);
      assertNoProblems('the provider cannot be listed', problems);
    });

    it('declares every capability as a boolean and implements what it promises', async () => {
      const problems = capabilityProblems(raw['capabilities'], GIT_PROVIDER_CAPABILITIES);
      for (const hook of ['matchRemote', 'createPullRequest', 'getPullRequest']) {
        if (typeof raw[hook] !== 'function') problems.push(`${hook} must be a function, received ${describeValue(raw[hook])}`);
      }
      const reviewComments = (raw['capabilities'] as { reviewComments?: unknown } | undefined)?.reviewComments === true;
      if (reviewComments !== (typeof raw['listReviewComments'] === 'function')) {
        problems.push('capabilities.reviewComments must be true exactly when listReviewComments is implemented');
      }
      assertNoProblems('the provider is malformed', problems);
    });
  });
}
