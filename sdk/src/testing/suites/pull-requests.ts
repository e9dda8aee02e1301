import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { ForgeErrorCode } from '../../errors.ts';
import type { GitProvider, ProviderContext, PullRequestState } from '../../git-provider.ts';
import { deepFreeze } from '../deep-freeze.ts';
import type { ExchangeFixture, ProviderCall } from '../exchanges.ts';
import { FakeFetch, type RecordedExchange } from '../fake-fetch.ts';
import type { SuiteSetup } from '../kit-options.ts';
import { assertNoProblems, describeValue, thrownMessage } from '../problems.ts';
import { withinTimeout } from '../within-timeout.ts';

const CALLS: readonly ProviderCall[] = ['createPullRequest', 'getPullRequest'];
const STATES: readonly PullRequestState[] = ['open', 'closed', 'merged'];

/** The statuses every provider must turn into the catalogue's codes, with a body like a code host's. */
const ERROR_MAPPING: readonly { status: number; code: ForgeErrorCode; headers: Record<string, string>; message: string }[] = [
  { status: 401, code: 'FORGE_PROVIDER_AUTH_FAILED', headers: {}, message: 'Bad credentials' },
  { status: 404, code: 'FORGE_PROVIDER_NOT_FOUND', headers: {}, message: 'Not Found' },
  { status: 429, code: 'FORGE_PROVIDER_RATE_LIMITED', headers: { 'retry-after': '30' }, message: 'API rate limit exceeded' },
];

interface CallOutcome {
  fetch: FakeFetch;
  token: string;
  value?: unknown;
  error?: unknown;
  threw: boolean;
}

/** Calls the provider against recorded exchanges with a token unique to this call. */
async function callProvider(provider: GitProvider, call: ProviderCall, input: unknown, exchanges: readonly RecordedExchange[], timeoutMs: number): Promise<CallOutcome> {
  const fetch = new FakeFetch(exchanges);
  const token = `forge-conformance-token-${randomUUID()}`;
  const ctx: ProviderContext = {
    fetch: fetch.fetch,
    token,
    signal: new AbortController().signal,
    log: { debug() {}, info() {}, warn() {}, error() {} },
  };
  const frozen = deepFreeze(structuredClone(input));
  const settled = Promise.resolve()
    .then(() => (call === 'createPullRequest' ? provider.createPullRequest(frozen as never, ctx) : provider.getPullRequest(frozen as never, ctx)))
    .then(
      (value): CallOutcome => ({ fetch, token, value, threw: false }),
      (error: unknown): CallOutcome => ({ fetch, token, error, threw: true }),
    );
  return withinTimeout(settled, timeoutMs, `${provider.id}.${call}()`);
}

function pullRequestProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [`resolved with ${describeValue(value)}, not a PullRequest`];
  const pr = value as Record<string, unknown>;
  const problems: string[] = [];
  if (!Number.isInteger(pr['number']) || (pr['number'] as number) <= 0) problems.push(`number must be a positive integer, received ${describeValue(pr['number'])}`);
  for (const field of ['url', 'title', 'head', 'base']) if (typeof pr[field] !== 'string') problems.push(`${field} must be a string, received ${describeValue(pr[field])}`);
  if (!STATES.includes(pr['state'] as PullRequestState)) problems.push(`state must be one of ${STATES.join(', ')}, received ${describeValue(pr['state'])}`);
  if (typeof pr['draft'] !== 'boolean') problems.push(`draft must be true or false, received ${describeValue(pr['draft'])}`);
  return problems;
}

/** Whether the rejection carries the code, and keeps the token out of everything a client may see. */
function rejectionProblems(outcome: CallOutcome, code: ForgeErrorCode): string[] {
  if (!outcome.threw) return [`resolved with ${JSON.stringify(outcome.value)}; expected a rejection with ${code}`];
  const error = outcome.error as { code?: unknown; message?: unknown; details?: unknown } | null;
  const problems: string[] = [];
  if (!(outcome.error instanceof Error)) problems.push(`rejected with ${describeValue(error)}, not an Error`);
  if (error?.code !== code) problems.push(`rejected with ${thrownMessage(error)} (code ${describeValue(error?.code)}); expected code ${code} — providerHttpError() maps HTTP statuses to it`);
  const visible = `${String(error?.message)} ${JSON.stringify(error?.details ?? null)}`;
  if (visible.includes(outcome.token)) problems.push('the error message or details contain the token');
  return problems;
}

/** createPullRequest and getPullRequest against recorded exchanges, and the error codes of a failing host. */
export function pullRequestSuite(setup: SuiteSetup, provider: GitProvider, fixtures: readonly ExchangeFixture[]): void {
  const { describe, it, timeoutMs } = setup;
  describe('pull requests', () => {
    for (const call of CALLS) {
      it(`has a recorded successful ${call}`, async () => {
        const recorded = fixtures.some((fixture) => fixture.call === call && fixture.result !== undefined);
        assertNoProblems('missing exchanges', recorded ? [] : [`record a successful ${call} as <name>.json in the exchanges folder`]);
      });
    }

    for (const fixture of fixtures) {
      it(`${fixture.call} replays ${fixture.name}`, async () => {
        const outcome = await callProvider(provider, fixture.call, fixture.input, fixture.exchanges, timeoutMs);
        const problems = [...outcome.fetch.problems];
        if (fixture.errorCode !== undefined) problems.push(...rejectionProblems(outcome, fixture.errorCode));
        else if (outcome.threw) problems.push(`rejected with ${thrownMessage(outcome.error)}`);
        else {
          problems.push(...pullRequestProblems(outcome.value));
          if (!isDeepStrictEqual(outcome.value, fixture.result)) problems.push(`resolved with ${JSON.stringify(outcome.value)}; expected ${JSON.stringify(fixture.result)}`);
          problems.push(...outcome.fetch.unused.map((request) => `the recorded request ${request} was never made`));
        }
        if (fixture.call === 'createPullRequest' && !outcome.fetch.sent.some((request) => Object.values(request.headers).some((value) => value.includes(outcome.token)))) {
          problems.push('no request carried ctx.token in a header; a pull request cannot be opened anonymously');
        }
        assertNoProblems(`${provider.id}.${fixture.call} replaying ${fixture.name}`, problems);
      });
    }
  });

  describe('error mapping', () => {
    for (const call of CALLS) {
      const success = fixtures.find((fixture) => fixture.call === call && fixture.result !== undefined);
      if (success === undefined) continue;
      for (const { status, code, headers, message } of ERROR_MAPPING) {
        it(`rejects ${call} answered with HTTP ${status} as ${code}, without the token`, async () => {
          const [first, ...rest] = success.exchanges;
          const failing = { request: first!.request, response: { status, headers, body: { message } } };
          const outcome = await callProvider(provider, call, success.input, [failing, ...rest], timeoutMs);
          assertNoProblems(`${provider.id}.${call} answered with HTTP ${status}`, [...outcome.fetch.problems, ...rejectionProblems(outcome, code)]);
        });
      }
    }
  });
}
