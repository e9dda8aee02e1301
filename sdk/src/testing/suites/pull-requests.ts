import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { ForgeErrorCode } from '../../errors.ts';
import type { GitProvider, ProviderContext, PullRequestState, RemoteRef } from '../../git-provider.ts';
import { deepFreeze } from '../deep-freeze.ts';
import { PROVIDER_CALLS, type ExchangeFixture, type ProviderCall } from '../exchanges.ts';
import { FakeFetch, type RecordedExchange } from '../fake-fetch.ts';
import type { SuiteSetup } from '../kit-options.ts';
import { assertNoProblems, describeValue, thrownMessage } from '../problems.ts';
import { withinTimeout } from '../within-timeout.ts';

/** The calls every provider must implement; the others are checked when the provider has them. */
const REQUIRED_CALLS: readonly ProviderCall[] = ['createPullRequest', 'getPullRequest'];
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

const hasCall = (provider: GitProvider, call: ProviderCall) => typeof provider[call] === 'function';

/** The API root the fixture was recorded against: its own, else the provider's default for the remote. */
function apiBaseUrlOf(provider: GitProvider, fixture: ExchangeFixture): string {
  if (fixture.apiBaseUrl !== undefined) return fixture.apiBaseUrl;
  const remote = fixture.input['remote'] as RemoteRef | undefined;
  const url = remote === undefined ? undefined : provider.defaultApiUrl?.(remote);
  if (url === undefined) throw new TypeError(`exchanges: ${fixture.name}.json needs "apiBaseUrl": the provider has no defaultApiUrl for its remote`);
  return url;
}

/** Calls the provider against recorded exchanges with a token unique to this call. */
async function callProvider(provider: GitProvider, fixture: ExchangeFixture, exchanges: readonly RecordedExchange[], timeoutMs: number): Promise<CallOutcome> {
  const fetch = new FakeFetch(exchanges);
  const token = `forge-conformance-token-${randomUUID()}`;
  const ctx: ProviderContext = {
    fetch: fetch.fetch,
    apiBaseUrl: apiBaseUrlOf(provider, fixture),
    token,
    signal: new AbortController().signal,
    log: { debug() {}, info() {}, warn() {}, error() {} },
  };
  const frozen = deepFreeze(structuredClone(fixture.input));
  const hook = provider[fixture.call] as ((input: unknown, ctx: ProviderContext) => Promise<unknown>) | undefined;
  const settled = Promise.resolve()
    .then(() => {
      if (hook === undefined) throw new TypeError(`the provider has no ${fixture.call}(), yet ${fixture.name}.json records it`);
      return hook.call(provider, frozen, ctx);
    })
    .then(
      (value): CallOutcome => ({ fetch, token, value, threw: false }),
      (error: unknown): CallOutcome => ({ fetch, token, error, threw: true }),
    );
  return withinTimeout(settled, timeoutMs, `${provider.id}.${fixture.call}()`);
}

const CHECK_STATES = ['pending', 'success', 'failure', 'skipped'];
const REPORT_STATES = ['none', 'pending', 'success', 'failure'];

/** Whether a call's value has the shape the contract promises. */
function resultProblems(call: ProviderCall, value: unknown): string[] {
  if (call === 'findPullRequest' && value === null) return [];
  if (call === 'getChecks') return checksProblems(value);
  if (call === 'listReviewComments') return commentProblems(value);
  return pullRequestProblems(value);
}

function checksProblems(value: unknown): string[] {
  const report = value as { state?: unknown; sha?: unknown; checks?: unknown } | null;
  if (typeof report !== 'object' || report === null) return [`resolved with ${describeValue(value)}, not a ChecksReport`];
  const problems: string[] = [];
  if (!REPORT_STATES.includes(report.state as string)) problems.push(`state must be one of ${REPORT_STATES.join(', ')}, received ${describeValue(report.state)}`);
  if (typeof report.sha !== 'string') problems.push(`sha must be a string, received ${describeValue(report.sha)}`);
  if (!Array.isArray(report.checks)) return [...problems, `checks must be a list, received ${describeValue(report.checks)}`];
  report.checks.forEach((check: { name?: unknown; state?: unknown }, index: number) => {
    if (typeof check?.name !== 'string') problems.push(`checks[${index}].name must be a string`);
    if (!CHECK_STATES.includes(check?.state as string)) problems.push(`checks[${index}].state must be one of ${CHECK_STATES.join(', ')}, received ${describeValue(check?.state)}`);
  });
  return problems;
}

function commentProblems(value: unknown): string[] {
  if (!Array.isArray(value)) return [`resolved with ${describeValue(value)}, not a list of ReviewComment`];
  return value.flatMap((comment: Record<string, unknown>, index: number) =>
    ['id', 'author', 'body', 'createdAt'].filter((field) => typeof comment?.[field] !== 'string').map((field) => `[${index}].${field} must be a string`),
  );
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

/**
 * Every hook the provider has, against recorded exchanges (createPullRequest and getPullRequest
 * must be recorded; findPullRequest, getChecks and listReviewComments when the provider has
 * them), and the error codes of a failing host.
 */
export function pullRequestSuite(setup: SuiteSetup, provider: GitProvider, fixtures: readonly ExchangeFixture[]): void {
  const { describe, it, timeoutMs } = setup;
  const calls = PROVIDER_CALLS.filter((call) => REQUIRED_CALLS.includes(call) || hasCall(provider, call));
  describe('pull requests', () => {
    for (const call of calls) {
      it(`has a recorded successful ${call}`, async () => {
        const recorded = fixtures.some((fixture) => fixture.call === call && fixture.result !== undefined);
        assertNoProblems('missing exchanges', recorded ? [] : [`record a successful ${call} as <name>.json in the exchanges folder`]);
      });
    }

    for (const fixture of fixtures) {
      it(`${fixture.call} replays ${fixture.name}`, async () => {
        const outcome = await callProvider(provider, fixture, fixture.exchanges, timeoutMs);
        const problems = [...outcome.fetch.problems];
        if (fixture.errorCode !== undefined) problems.push(...rejectionProblems(outcome, fixture.errorCode));
        else if (outcome.threw) problems.push(`rejected with ${thrownMessage(outcome.error)}`);
        else {
          problems.push(...resultProblems(fixture.call, outcome.value));
          if (!isDeepStrictEqual(outcome.value, fixture.result)) problems.push(`resolved with ${JSON.stringify(outcome.value)}; expected ${JSON.stringify(fixture.result)}`);
          problems.push(...outcome.fetch.unused.map((request) => `the recorded request ${request} was never made`));
        }
        if (!outcome.fetch.sent.every((request) => request.url.startsWith(apiBaseUrlOf(provider, fixture)))) {
          problems.push(`a request went outside ctx.apiBaseUrl (${apiBaseUrlOf(provider, fixture)}): ${outcome.fetch.sent.map((request) => request.url).join(', ')}`);
        }
        if (fixture.call === 'createPullRequest' && !outcome.fetch.sent.some((request) => Object.values(request.headers).some((value) => value.includes(outcome.token)))) {
          problems.push('no request carried ctx.token in a header; a pull request cannot be opened anonymously');
        }
        assertNoProblems(`${provider.id}.${fixture.call} replaying ${fixture.name}`, problems);
      });
    }
  });

  describe('error mapping', () => {
    for (const call of calls) {
      const success = fixtures.find((fixture) => fixture.call === call && fixture.result !== undefined);
      if (success === undefined) continue;
      for (const { status, code, headers, message } of ERROR_MAPPING) {
        it(`rejects ${call} answered with HTTP ${status} as ${code}, without the token`, async () => {
          const [first, ...rest] = success.exchanges;
          const failing = { request: first!.request, response: { status, headers, body: { message } } };
          const outcome = await callProvider(provider, success, [failing, ...rest], timeoutMs);
          assertNoProblems(`${provider.id}.${call} answered with HTTP ${status}`, [...outcome.fetch.problems, ...rejectionProblems(outcome, code)]);
        });
      }
    }
  });
}
