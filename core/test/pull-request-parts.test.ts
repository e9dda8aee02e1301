import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineGitProvider, ForgeError, providerHttpError, type GitProvider, type PullRequest } from '@forge-core/sdk';
import pino from 'pino';
import { PullRequestPoller, REQUESTS_PER_POLL } from '../src/orchestrator/pull-request-poller.ts';
import { decideReaction } from '../src/orchestrator/pull-request-reactions.ts';
import type { PackRegistry, GitProviderEntry } from '../src/plugins/pack-registry.ts';
import { ProviderDriver } from '../src/providers/provider-driver.ts';
import { ProviderResolver } from '../src/providers/provider-resolver.ts';
import { RequestBudget } from '../src/providers/request-budget.ts';
import type { EventLog } from '../src/events/event-log.ts';
import type { Project } from '../src/store/project-store.ts';
import type { PullRequestRecord, PullRequestStore } from '../src/store/pull-request-store.ts';
import type { PullRequestService } from '../src/orchestrator/pull-request-service.ts';

const silent = pino({ level: 'silent' });
const TOKEN = 'ghp_partsTestToken0123456789abcdef';

function record(overrides: Partial<PullRequestRecord> = {}): PullRequestRecord {
  return {
    attemptId: 'a1',
    provider: 'kit',
    host: 'git.kit.test',
    owner: 'acme',
    repo: 'widgets',
    apiBaseUrl: 'https://git.kit.test/api',
    number: 7,
    url: 'https://git.kit.test/acme/widgets/pull/7',
    state: 'open',
    draft: false,
    title: 't',
    head: 'forge/x',
    base: 'main',
    headSha: 'abc',
    checks: null,
    seenCommentIds: [],
    answeredFailureSha: null,
    reactionPending: null,
    reactionsUsed: 0,
    budgetSpentAt: null,
    error: null,
    polledAt: null,
    nextPollAt: '2026-01-01T00:00:00.000Z',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const failed = { state: 'failure' as const, sha: 'abc', checks: [{ name: 'test', state: 'failure' as const, summary: 'TypeError: x is undefined' }, { name: 'lint', state: 'success' as const }] };
const settings = { ciFailure: true, reviewComments: true, maxFollowUps: 2 };
const at = '2026-12-04T12:00:00.000Z';
const comment = (id: string) => ({ id, author: 'rev', body: `please fix ${id}`, createdAt: at, path: 'src/a.ts', line: 3 });

describe('pull request reactions: what a poll sets off', () => {
  it('answers a failed check once per head commit, with the failure in the prompt', () => {
    const decision = decideReaction({ record: record(), settings, checks: failed, comments: [], attemptFinished: true, at });
    assert.equal(decision.kind, 'follow-up');
    if (decision.kind !== 'follow-up') return;
    assert.equal(decision.reason, 'checks');
    assert.match(decision.prompt, /TypeError: x is undefined/);
    assert.doesNotMatch(decision.prompt, /lint/, 'only the failed checks are named');
    assert.deepEqual(decision.changes, { reactionsUsed: 1, reactionPending: 'checks', answeredFailureSha: 'abc' });
    const again = decideReaction({ record: record({ answeredFailureSha: 'abc', reactionsUsed: 1 }), settings, checks: failed, comments: [], attemptFinished: true, at });
    assert.equal(again.kind, 'none', 'the same commit failing again is not answered twice');
    const newCommit = decideReaction({ record: record({ answeredFailureSha: 'abc', reactionsUsed: 1 }), settings, checks: { ...failed, sha: 'def' }, comments: [], attemptFinished: true, at });
    assert.equal(newCommit.kind, 'follow-up');
  });

  it('turns new review comments into one follow-up with their file and line, and remembers them', () => {
    const decision = decideReaction({ record: record({ seenCommentIds: ['c1'] }), settings, checks: null, comments: [comment('c1'), comment('c2')], attemptFinished: true, at });
    assert.equal(decision.kind, 'follow-up');
    if (decision.kind !== 'follow-up') return;
    assert.equal(decision.reason, 'review');
    assert.match(decision.prompt, /src\/a\.ts:3/);
    assert.match(decision.prompt, /please fix c2/);
    assert.doesNotMatch(decision.prompt, /please fix c1/);
    assert.deepEqual(decision.changes.seenCommentIds, ['c1', 'c2']);
  });

  it('carries as many new comments as fit in one follow-up; the rest stay new for the next', () => {
    const long = (id: string) => ({ ...comment(id), body: 'x'.repeat(25_000) });
    const decision = decideReaction({ record: record(), settings, checks: null, comments: [long('c1'), long('c2'), long('c3'), long('c4')], attemptFinished: true, at });
    assert.equal(decision.kind, 'follow-up');
    if (decision.kind !== 'follow-up') return;
    assert.deepEqual(decision.changes.seenCommentIds, ['c1', 'c2']);
    assert.ok(decision.prompt.length < 60_000, `${decision.prompt.length} characters`);
    const huge = decideReaction({ record: record(), settings, checks: null, comments: [{ ...comment('c1'), body: 'y'.repeat(500_000) }], attemptFinished: true, at });
    assert.ok(huge.kind === 'follow-up' && huge.prompt.length < 25_000, 'one enormous comment is shortened, not dropped');
  });

  it('does nothing while off, while the agent runs, while a reaction waits to be pushed, or once the pull request is not open', () => {
    const none = (input: Partial<Parameters<typeof decideReaction>[0]>) =>
      decideReaction({ record: record(), settings, checks: failed, comments: [comment('c1')], attemptFinished: true, at, ...input }).kind;
    assert.equal(none({ settings: null }), 'none');
    assert.equal(none({ settings: { ciFailure: false, reviewComments: false, maxFollowUps: 3 } }), 'none');
    assert.equal(none({ attemptFinished: false }), 'none');
    assert.equal(none({ record: record({ reactionPending: 'checks' }) }), 'none');
    assert.equal(none({ record: record({ state: 'merged' }) }), 'none');
    assert.equal(none({ settings: { ciFailure: false, reviewComments: true, maxFollowUps: 3 }, comments: [] }), 'none');
  });

  it('tells a person once when the budget is spent', () => {
    const spent = decideReaction({ record: record({ reactionsUsed: 2 }), settings, checks: failed, comments: [], attemptFinished: true, at });
    assert.deepEqual(spent, { kind: 'budget-spent', reason: 'checks', changes: { budgetSpentAt: at } });
    const told = decideReaction({ record: record({ reactionsUsed: 2, budgetSpentAt: at }), settings, checks: failed, comments: [], attemptFinished: true, at });
    assert.equal(told.kind, 'none');
  });
});

describe('the request budget and the poll schedule', () => {
  it('allows at most a minute of the hourly budget at once, refills with time, and pauses on a rate limit', () => {
    let now = 0;
    const budget = new RequestBudget({ requestsPerHour: 600, perHost: { 'big.example': 6000 }, now: () => now });
    assert.equal(budget.allows('h', 10), true);
    budget.spend('h', 10);
    assert.equal(budget.allows('h', 1), false, 'a minute of 600 an hour is 10');
    now += 6_000;
    assert.equal(budget.allows('h', 1), true, '6 s later one request more fits');
    assert.equal(budget.allows('big.example', 100), true);
    budget.observe('h', { status: 429, headers: { 'retry-after': '120' }, body: null });
    now += 60_000;
    assert.equal(budget.allows('h', 1), false, 'paused by Retry-After');
    now += 61_000;
    assert.equal(budget.allows('h', 1), true);
    budget.observe('h', { status: 200, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(now / 1000) + 30) }, body: null });
    assert.equal(budget.allows('h', 1), false, 'paused until the quota resets');
  });

  it('keeps 1,000 open pull requests on one host within its hourly budget, and still polls every one', async () => {
    let now = Date.parse('2026-12-04T00:00:00.000Z');
    const perHour = 900;
    const budget = new RequestBudget({ requestsPerHour: perHour, now: () => now });
    const rows = new Map<string, PullRequestRecord>();
    for (let i = 0; i < 1000; i++) rows.set(`a${i}`, record({ attemptId: `a${i}`, nextPollAt: new Date(now).toISOString() }));
    // One pull request on another host, due behind the first host's backlog: it must not wait for it.
    rows.set('other', record({ attemptId: 'other', host: 'other.example', nextPollAt: new Date(now + 1000).toISOString() }));
    // Dearer than the poller assumes before it has measured one: the schedule must follow the measured cost.
    const COST = REQUESTS_PER_POLL + 2;
    const sent: number[] = [];
    const polled = new Set<string>();
    let otherPolledAt: number | undefined;
    let poller!: PullRequestPoller;
    const store = {
      async openCountByHost() {
        return new Map([
          ['git.kit.test', rows.size - 1],
          ['other.example', 1],
        ]);
      },
      async due(until: string, limit: number) {
        return [...rows.values()].filter((row) => row.nextPollAt <= until).sort((a, b) => a.nextPollAt.localeCompare(b.nextPollAt)).slice(0, limit);
      },
      async postponeHost(host: string, due: string, until: string) {
        for (const row of rows.values()) if (row.host === host && row.nextPollAt <= due) rows.set(row.attemptId, { ...row, nextPollAt: until });
      },
    } as unknown as PullRequestStore;
    const service = {
      async poll(row: PullRequestRecord) {
        for (let i = 0; i < COST; i++) {
          budget.spend(row.host);
          if (row.host === 'git.kit.test') sent.push(now);
        }
        polled.add(row.attemptId);
        if (row.attemptId === 'other') otherPolledAt ??= now;
        rows.set(row.attemptId, { ...row, nextPollAt: poller.nextPollAt(row.host) });
      },
    } as unknown as PullRequestService;
    poller = new PullRequestPoller(store, service, budget, { subscribe: () => () => undefined } as unknown as EventLog, { minIntervalMs: 60_000, now: () => now }, silent);
    const hours = 8;
    for (let second = 0; second < hours * 3600; second += 5) {
      await poller.tick();
      now += 5_000;
    }
    const start = Date.parse('2026-12-04T00:00:00.000Z');
    for (let hour = 0; hour < hours; hour++) {
      const inHour = sent.filter((t) => t >= start + hour * 3_600_000 && t < start + (hour + 1) * 3_600_000).length;
      // The bucket starts full (a minute's worth), so the first hour may carry that much more.
      assert.ok(inHour <= perHour + perHour / 60, `hour ${hour}: ${inHour} requests for a budget of ${perHour}`);
    }
    assert.equal(poller.pollIntervalMs('git.kit.test'), Math.ceil((1000 * COST * 3_600_000) / perHour), 'spread to fit the budget, at the measured cost');
    const small = new PullRequestPoller(store, service, new RequestBudget({ requestsPerHour: 120 }), { subscribe: () => () => undefined } as unknown as EventLog, { minIntervalMs: 60_000 }, silent);
    assert.equal(small.costPerPoll('tiny.example'), 2, 'a poll is never expected to cost more than the bucket holds, or it would never run');
    assert.equal(polled.size, 1001, `every pull request was polled within ${hours} h (${polled.size})`);
    assert.ok(otherPolledAt !== undefined && otherPolledAt - start < 60_000, "the other host's pull request was polled within a minute, not behind the backlog");
  });
});

/** A provider for a fictional host whose API is whatever local server the test starts. */
const kitProvider: GitProvider = defineGitProvider({
  id: 'kit',
  displayName: 'Kit Host',
  capabilities: { draftPullRequests: false, reviewComments: false },
  auth: { env: 'KIT_TOKEN', gitUsername: 'kit-bot' },
  defaultApiUrl: (remote) => `https://api.${remote.host}`,
  matchRemote(url, options) {
    const match = /^https:\/\/([^/]+)\/([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(url);
    if (!match) return null;
    const host = (match[1] as string).toLowerCase().replace(/:\d+$/, '');
    if (host !== 'kit.test' && !options?.anyHost) return null;
    return { host, owner: match[2] as string, repo: match[3] as string };
  },
  async createPullRequest(input, ctx) {
    const response = await ctx.fetch(`${ctx.apiBaseUrl}/repos/${input.remote.owner}/${input.remote.repo}/pulls`, { method: 'POST', headers: { authorization: `Bearer ${ctx.token}` }, body: { title: input.title } });
    if (response.status !== 201) throw providerHttpError('kit', `opening a pull request on ${input.remote.owner}/${input.remote.repo}`, response);
    return response.body as PullRequest;
  },
  async getPullRequest(ref, ctx) {
    const response = await ctx.fetch(`${ctx.apiBaseUrl}/repos/${ref.remote.owner}/${ref.remote.repo}/pulls/${ref.number}`, { headers: { authorization: `Bearer ${ctx.token}` } });
    if (response.status !== 200) throw providerHttpError('kit', `reading pull request #${ref.number}`, response);
    return response.body as PullRequest;
  },
});

const registry = {
  listGitProviders: () => [entry],
  gitProvider: (id: string) => (id === 'kit' ? entry : undefined),
} as unknown as PackRegistry;
const entry: GitProviderEntry = { id: 'kit', displayName: 'Kit Host', description: null, capabilities: kitProvider.capabilities, packageName: 'kit-pack', packageVersion: '1.0.0', path: '/', provider: kitProvider };

const project = (overrides: Partial<Project> = {}): Project =>
  ({ id: 'p1', name: 'widgets', repoPath: '/srv/widgets', remoteUrl: 'https://kit.test/acme/widgets.git', gitProvider: null, gitProviderApiUrl: null, pullRequestReactions: null, ...overrides }) as Project;

describe('which provider and token serve a project', () => {
  it("uses the provider's own variable for its public host, and its default API", () => {
    const resolved = new ProviderResolver(registry, {}, { KIT_TOKEN: TOKEN }).resolve(project());
    assert.equal(resolved.entry.id, 'kit');
    assert.deepEqual(resolved.remote, { host: 'kit.test', owner: 'acme', repo: 'widgets' });
    assert.equal(resolved.apiBaseUrl, 'https://api.kit.test');
    assert.equal(resolved.token, TOKEN);
    assert.equal(resolved.tokenSource, 'KIT_TOKEN');
    assert.equal(resolved.gitUsername, 'kit-bot');
  });

  it('never sends the public token to a self-hosted host: that needs its own, configured under gitHosts', () => {
    const selfHosted = project({ remoteUrl: 'https://git.corp.example/acme/widgets', gitProvider: 'kit', gitProviderApiUrl: 'https://git.corp.example/api' });
    const unconfigured = new ProviderResolver(registry, {}, { KIT_TOKEN: TOKEN }).resolve(selfHosted);
    assert.equal(unconfigured.token, null);
    assert.match(unconfigured.tokenSource, /gitHosts\["git\.corp\.example"\]/);
    const configured = new ProviderResolver(registry, { 'git.corp.example': { tokenEnv: 'CORP_TOKEN', apiUrl: 'https://git.corp.example/api' } }, { KIT_TOKEN: TOKEN, CORP_TOKEN: 'corp-token-1234567890' }).resolve(selfHosted);
    assert.equal(configured.token, 'corp-token-1234567890');
    assert.equal(configured.apiBaseUrl, 'https://git.corp.example/api');
  });

  it('finds the provider of a configured host without a project setting', () => {
    const resolver = new ProviderResolver(registry, { 'git.corp.example': { provider: 'kit', apiUrl: 'https://git.corp.example/api/v9/', token: 'corp-token-1234567890' } }, {});
    const resolved = resolver.resolve(project({ remoteUrl: 'https://git.corp.example/acme/widgets.git' }));
    assert.equal(resolved.apiBaseUrl, 'https://git.corp.example/api/v9', 'without its trailing slash');
    assert.equal(resolved.tokenSource, 'gitHosts["git.corp.example"].token');
  });

  it("refuses an API URL on a host that is neither the remote's nor configured for it, so no token goes there", () => {
    const resolver = new ProviderResolver(registry, {}, { KIT_TOKEN: TOKEN });
    assert.throws(
      () => resolver.resolve(project({ gitProviderApiUrl: 'https://collector.example/api' })),
      (error: ForgeError) => error.code === 'FORGE_PROVIDER_NOT_CONFIGURED' && /collector\.example/.test(error.message) && !error.message.includes(TOKEN),
    );
  });

  it('sends a token only to the configured origin: not another port, not plain http, not through another provider', () => {
    const other = { ...entry, id: 'other', provider: { ...kitProvider, id: 'other' } } as GitProviderEntry;
    const withOther = { listGitProviders: () => [entry, other], gitProvider: (id: string) => ({ kit: entry, other })[id] } as unknown as PackRegistry;
    const resolver = new ProviderResolver(withOther, { 'git.corp.example': { provider: 'kit', apiUrl: 'https://git.corp.example/api/v4', token: 'corp-token-1234567890' } }, {});
    const remote = 'https://git.corp.example/acme/widgets.git';
    const refused = (overrides: Partial<Project>) => assert.throws(() => resolver.resolve(project({ remoteUrl: remote, ...overrides })), (error: ForgeError) => error.code === 'FORGE_PROVIDER_NOT_CONFIGURED' && !error.message.includes('corp-token'));
    refused({ gitProviderApiUrl: 'https://git.corp.example:8443/api/v4' });
    refused({ gitProviderApiUrl: 'http://git.corp.example/api/v4' });
    refused({ gitProviderApiUrl: 'https://collector.example/api/v4' });
    refused({ gitProvider: 'other' });
    assert.equal(resolver.resolve(project({ remoteUrl: remote, gitProviderApiUrl: 'https://git.corp.example/gitlab/api/v4' })).apiBaseUrl, 'https://git.corp.example/gitlab/api/v4', 'another path on the configured origin is fine');
    const tokenless = new ProviderResolver(registry, {}, {}).resolve(project({ remoteUrl: 'https://git.other.example/a/b', gitProvider: 'kit', gitProviderApiUrl: 'http://git.other.example:3000/api' }));
    assert.equal(tokenless.token, null, 'with no token to protect, any API URL may be read');
  });

  it('says what to set when nothing serves the remote, or the named provider is not installed', () => {
    const resolver = new ProviderResolver(registry, {}, {});
    assert.throws(() => resolver.resolve(project({ remoteUrl: 'https://elsewhere.example/a/b' })), /set the project's gitProvider \(one of: kit\)/);
    assert.throws(() => resolver.resolve(project({ gitProvider: 'nope' })), /"nope", which is not installed; installed: kit/);
    assert.throws(() => resolver.resolve(project({ remoteUrl: null })), /has no remote URL/);
  });
});

describe('a provider call: clear failures naming the provider, the host and the fix', () => {
  let server: Server;
  let base: string;
  let answer: { status: number; headers?: Record<string, string>; body: unknown } = { status: 200, body: {} };
  let received: { url: string; headers: Record<string, unknown> }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      received.push({ url: req.url ?? '', headers: req.headers });
      // A same-origin redirect from /moved/… to the path without it.
      if (req.url?.startsWith('/moved/')) {
        res.writeHead(301, { location: req.url.slice('/moved'.length) });
        res.end();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function call(options: { token?: string | null; apiUrl?: string; budget?: RequestBudget } = {}) {
    const budget = options.budget ?? new RequestBudget({ requestsPerHour: 900 });
    const resolver = new ProviderResolver(registry, { 'kit.test': { apiUrl: options.apiUrl ?? base, ...(options.token === null ? {} : { token: options.token ?? TOKEN }) } }, {});
    const driver = new ProviderDriver(budget, { requestTimeoutMs: 2_000, secrets: () => [TOKEN] }, silent);
    const resolved = resolver.resolve(project({ gitProviderApiUrl: null }));
    return { budget, attempt: driver.call(resolved, 'getPullRequest', { remote: resolved.remote, number: 7 }) };
  }

  const rejection = async (promise: Promise<unknown>): Promise<ForgeError> => {
    const error = await promise.then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e as ForgeError,
    );
    assert.ok(error instanceof ForgeError, String(error));
    assert.ok(!`${error.message} ${JSON.stringify(error.details)}`.includes(TOKEN), `the token leaked: ${error.message}`);
    return error;
  };

  it('a bad token: which token, from where, and what it must be allowed to do', async () => {
    answer = { status: 401, body: { message: `Bad credentials for ${TOKEN}` } };
    const error = await rejection(call().attempt);
    assert.equal(error.code, 'FORGE_PROVIDER_AUTH_FAILED');
    assert.match(error.message, /Kit Host \(kit\) at kit\.test refused the token from gitHosts\["kit\.test"\]\.token \(HTTP 401\)/);
    assert.match(error.message, /may read and write pull requests in acme\/widgets/);
    assert.match(error.message, /\[redacted\]/, "the host's own words are kept, the token in them masked");
  });

  it('no token at all says which setting to fill', async () => {
    answer = { status: 401, body: { message: 'Requires authentication' } };
    const error = await rejection(call({ token: null }).attempt);
    assert.match(error.message, /needs a token \(HTTP 401\), and none is configured\. Set KIT_TOKEN to a token that may read and write pull requests/);
  });

  it('an unknown repository names it and the private-repository case', async () => {
    answer = { status: 404, body: { message: 'Not Found' } };
    const error = await rejection(call().attempt);
    assert.equal(error.code, 'FORGE_PROVIDER_NOT_FOUND');
    assert.match(error.message, /found no pull request or repository acme\/widgets \(HTTP 404\)\. Check the project's remote URL/);
    assert.equal(error.details?.['host'], 'kit.test');
  });

  it('a rate limit gives the wait and pauses the host', async () => {
    answer = { status: 429, headers: { 'retry-after': '90' }, body: { message: 'slow down' } };
    const { budget, attempt } = call();
    const error = await rejection(attempt);
    assert.equal(error.code, 'FORGE_PROVIDER_RATE_LIMITED');
    assert.equal(error.details?.['retryAfterSeconds'], 90);
    assert.match(error.message, /rate-limited Forge \(HTTP 429\); it may be asked again in 90 s/);
    assert.equal(budget.allows('kit.test', 1), false);
  });

  it('follows a redirect on the same origin, and refuses one to another origin without sending the token there', async () => {
    const pullRequest = { number: 7, url: 'u', state: 'open', title: 't', head: 'h', base: 'main', draft: false };
    answer = { status: 200, body: pullRequest };
    assert.deepEqual(await call({ apiUrl: `${base}/moved` }).attempt, pullRequest);
    const elsewhere = createServer((req, res) => {
      received.push({ url: `elsewhere${req.url}`, headers: req.headers });
      res.end('{}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    try {
      const away = `http://localhost:${(elsewhere.address() as AddressInfo).port}`;
      answer = { status: 302, headers: { location: `${away}/repos/acme/widgets/pulls/7` }, body: {} };
      received = [];
      const error = await rejection(call().attempt);
      assert.equal(error.code, 'FORGE_PROVIDER_FAILED');
      assert.match(error.message, /redirected to http:\/\/localhost:\d+, another origin; not followed/);
      assert.deepEqual(received.filter((r) => r.url.startsWith('elsewhere')), [], 'nothing reached the other origin');
    } finally {
      await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
    }
  });

  it("asks nothing while the host said to wait or Forge's budget for it is spent", async () => {
    answer = { status: 200, body: { number: 7, url: 'u', state: 'open', title: 't', head: 'h', base: 'main', draft: false } };
    const budget = new RequestBudget({ requestsPerHour: 60 });
    budget.pause('kit.test', 30);
    received = [];
    const paused = await rejection(call({ budget }).attempt);
    assert.equal(paused.code, 'FORGE_PROVIDER_RATE_LIMITED');
    assert.match(paused.message, /asked Forge to wait; it is not asked again for 3\d s/);
    const spent = new RequestBudget({ requestsPerHour: 60 });
    spent.spend('kit.test', 1);
    const refused = await rejection(call({ budget: spent }).attempt);
    assert.match(refused.message, /Forge's request budget for Kit Host \(kit\) at kit\.test \(60 an hour\) is spent; try again in 60 s/);
    assert.equal(received.length, 0, 'no request went out');
  });

  it('refuses JSON beyond the 4 MiB it reads, saying so, instead of reading cut JSON', async () => {
    answer = { status: 200, body: { title: 'z'.repeat(5 * 1024 * 1024) } };
    const error = await rejection(call().attempt);
    assert.equal(error.code, 'FORGE_PROVIDER_FAILED');
    assert.match(error.message, /answered more than 4 MiB of JSON, more than Forge reads/);
  });

  it("masks a token the host's answer quotes (a CI log, a comment) before anyone stores or shows it", async () => {
    answer = { status: 200, body: { number: 7, url: 'u', state: 'open', title: `leaked ${TOKEN} in a title`, head: 'h', base: 'main', draft: false } };
    const pullRequest = await call().attempt;
    assert.equal(pullRequest.title, 'leaked [redacted] in a title');
  });

  it('a network failure names the address and what to check', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await rejection(call({ apiUrl: `http://127.0.0.1:${port}` }).attempt);
    assert.equal(error.code, 'FORGE_PROVIDER_FAILED');
    assert.match(error.message, /could not reach GET http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/widgets\/pulls\/7 \(ECONNREFUSED\); check the network and the host's API URL/);
  });
});
