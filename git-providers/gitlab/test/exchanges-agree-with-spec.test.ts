import assert from 'node:assert/strict';
import { providerContextOver, startFakeHost, type FakeAnswer, type FakeHost, type FakeRequest } from '@forge-core/openapi-fake-host';
import type { ProviderContext, RemoteRef } from '@forge-core/sdk';
import { loadExchangeFixtures, type RecordedExchange } from '@forge-core/sdk/testing';
import { gitlab } from '../src/index.ts';
import { gitlabSpec } from './support/gitlab-spec.ts';

const fixtures = loadExchangeFixtures(new URL('./exchanges/', import.meta.url).pathname);
const OPERATIONS = [
  'postApiV4ProjectsIdMergeRequests',
  'getApiV4ProjectsIdMergeRequests',
  'getApiV4ProjectsIdMergeRequestsMergeRequestIid',
  'getApiV4ProjectsIdMergeRequestsMergeRequestIidPipelines',
  'getApiV4ProjectsIdRepositoryCommitsShaStatuses',
  'getApiV4ProjectsIdMergeRequestsNoteableIdNotes',
];
/** Statuses a GitLab gate answers on any route, whether or not the spec lists them for it. */
const GATE_STATUSES = new Set([401, 403, 429]);

// The conformance kit replays the recorded exchanges without a spec; here the same exchanges are
// served by the OpenAPI fake host, so a recorded request or answer that GitLab's spec would not
// have is a failure, and the fixtures cannot drift from the API they stand for.
describe('gitlab recorded exchanges agree with the recorded GitLab spec', () => {
  let host: FakeHost | undefined;

  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  for (const fixture of fixtures) {
    it(`${fixture.name}: every request and answer is one the spec allows`, async () => {
      const remote = fixture.input['remote'] as RemoteRef;
      const recordedBase = new URL(fixture.apiBaseUrl ?? gitlab.defaultApiUrl!(remote));
      const basePath = recordedBase.pathname.replace(/\/api\/v4$/, '');
      const remaining = [...fixture.exchanges];
      const recorded = (request: FakeRequest): RecordedExchange => {
        const index = remaining.findIndex((exchange) => {
          const url = new URL(exchange.request.url);
          return exchange.request.method === request.method && url.pathname === request.url.pathname && url.search === request.url.search;
        });
        assert.notEqual(index, -1, `${request.method} ${request.url.pathname}${request.url.search} is not among the recorded requests`);
        return remaining.splice(index, 1)[0] as RecordedExchange;
      };
      const answer = ({ response }: RecordedExchange): FakeAnswer => ({
        status: response.status,
        headers: response.headers ?? {},
        ...(response.body === undefined ? {} : { body: response.body }),
      });
      // A gate status is answered before the request is checked; look the exchange up once.
      const gated = new Map<FakeRequest, RecordedExchange>();
      host = await startFakeHost({
        spec: gitlabSpec(),
        lenientNulls: true,
        label: `gitlab ${fixture.name}`,
        basePath,
        authenticate: (request) => {
          const exchange = recorded(request);
          if (GATE_STATUSES.has(exchange.response.status)) return answer(exchange);
          gated.set(request, exchange);
          return undefined;
        },
        handlers: Object.fromEntries(OPERATIONS.map((operation) => [operation, (request: FakeRequest) => answer(gated.get(request) as RecordedExchange)])),
      });
      const ctx: ProviderContext = providerContextOver({ apiBaseUrl: `${host.url}/api/v4`, token: 'glpat-exchanges-agree-with-spec' });
      const hook = gitlab[fixture.call] as (input: unknown, ctx: ProviderContext) => Promise<unknown>;
      const outcome = await hook.call(gitlab, fixture.input, ctx).then(
        (value) => ({ value }),
        (error: { code?: string }) => ({ code: error.code }),
      );
      assert.deepEqual(outcome, fixture.errorCode === undefined ? { value: fixture.result } : { code: fixture.errorCode });
      assert.deepEqual(remaining, [], 'every recorded exchange was requested');
      host.assertClean();
    });
  }
});
