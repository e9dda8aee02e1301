import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startGitHttpServer } from '../../core/test/support/git-http-server.ts';
import { pushCredentialEnvironment } from '../../core/src/git/push-credentials.ts';
import { startFakeGitHub } from '../../git-providers/github/test/support/fake-github.ts';
import { ForgeApi } from '../api.ts';
import { makeSmallRepo } from '../fixtures.ts';
import { requestJson } from '../http.ts';
import { startForge } from '../server-process.ts';
import { msSince, summarize, type LatencySummary } from '../stats.ts';
import { printTable } from '../table.ts';

const execFileAsync = promisify(execFile);
const RUNS = 12;

export interface PullRequestsResult {
  runs: number;
  /** POST /attempts/{id}/pull-request: push, find, create, read comments, store. */
  open: LatencySummary;
  /** The same push by hand (`git push` of a one-commit branch to the same backend) plus the same three API calls to the same fake host. */
  rawOpen: LatencySummary;
  /** POST /attempts/{id}/pull-request/refresh: the pull request and its checks. */
  refresh: LatencySummary;
  /** The same calls straight to the fake host. */
  rawRefresh: LatencySummary;
  /** open p50 - raw p50: what Forge adds to opening one. */
  openOverheadP50Ms: number;
  refreshOverheadP50Ms: number;
  /** Requests the fake host validated against GitHub's OpenAPI and found wrong (expected 0). */
  hostProblems: number;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return msSince(start);
}

/**
 * 13. Opening and polling a pull request, against the stateful GitHub fake (every request checked
 * against GitHub's OpenAPI) and a real `git http-backend` demanding the token, beside what the
 * same work costs by hand in the same run: a `git push` of a one-commit branch to the same backend
 * with the same credential helper, then the same API calls straight to the fake host.
 */
export async function benchPullRequests(workDir: string): Promise<PullRequestsResult> {
  const fake = await startFakeGitHub({ owner: 'acme', repo: 'widgets' });
  const origin = await startGitHttpServer({ root: join(workDir, 'served'), username: null, token: fake.token });
  const repo = join(workDir, 'widgets');
  makeSmallRepo(repo);
  await origin.createBareRepo('acme/widgets', { from: repo });
  await execFileAsync('git', ['remote', 'add', 'origin', origin.repoUrl('acme/widgets')], { cwd: repo });
  const home = join(workDir, 'home');
  mkdirSync(home, { recursive: true });
  // The request budget out of the way: the section measures the calls, not the throttle.
  writeFileSync(join(home, 'config.json'), JSON.stringify({ gitHosts: { '127.0.0.1': { provider: 'github', apiUrl: fake.apiBaseUrl, token: fake.token, gitUrl: origin.url, requestsPerHour: 1_000_000 } } }));
  // The scheduled poll stays out of the measurement.
  const server = await startForge(home, { FORGE_PULL_REQUEST_POLL_INTERVAL_MS: '3600000' });
  const api = new ForgeApi(server.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const call = <T>(method: string, path: string, expected: number) => requestJson<T>(agent, `${server.url}/api/v1${path}`, method, undefined, expected);
  try {
    const projectId = await api.createProject('bench-pull-requests', repo);
    const attempts: string[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      const taskId = await api.createTask(projectId, `Change ${i}`, 'A change to open a pull request for.');
      const attempt = await api.startAttempt(taskId, 'script', { command: `echo ${i} > change-${i}.txt` });
      attempts.push(attempt.id);
    }
    for (const id of attempts) await api.waitForAttempt(id, 20, 60_000);

    const headers = { authorization: `Bearer ${fake.token}`, accept: 'application/vnd.github+json' };
    const hostCall = async (method: string, path: string, body?: unknown) => {
      const answer = await fetch(`${fake.apiBaseUrl}${path}`, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      await answer.arrayBuffer();
    };
    const credentials = { ...process.env, ...pushCredentialEnvironment(origin.repoUrl('acme/widgets'), 'x-access-token', fake.token), LC_ALL: 'C' };
    const rawOpen = async (i: number) => {
      const branch = `bench/raw-${i}`;
      await execFileAsync('git', ['switch', '-q', '-c', branch, 'main'], { cwd: repo });
      writeFileSync(join(repo, `raw-${i}.txt`), `${i}\n`);
      await execFileAsync('git', ['add', '-A'], { cwd: repo });
      await execFileAsync('git', ['-c', 'user.email=b@example.com', '-c', 'user.name=B', 'commit', '-q', '-m', `raw ${i}`], { cwd: repo });
      await execFileAsync('git', ['switch', '-q', 'main'], { cwd: repo });
      return timed(async () => {
        await execFileAsync('git', ['push', '--porcelain', 'origin', `${branch}:refs/heads/${branch}`], { cwd: repo, env: credentials });
        await hostCall('GET', `/repos/acme/widgets/pulls?head=acme:${branch}&base=main&state=all&per_page=100`);
        await hostCall('POST', '/repos/acme/widgets/pulls', { title: `raw ${i}`, head: branch, base: 'main', body: 'by hand', draft: false });
        await hostCall('GET', `/repos/acme/widgets/pulls/1/comments?per_page=100`);
      });
    };

    // One unmeasured run of each: git's and the server's first-time costs.
    await call('POST', `/attempts/${attempts[0]}/pull-request`, 200);
    await rawOpen(-1);
    const openMs: number[] = [];
    const rawOpenMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      openMs.push(await timed(() => call('POST', `/attempts/${attempts[i + 1]}/pull-request`, 200)));
      rawOpenMs.push(await rawOpen(i));
    }
    const refreshMs: number[] = [];
    const rawRefreshMs: number[] = [];
    const number = fake.pullRequests()[0]!.number;
    const sha = fake.pullRequests()[0]!.headSha;
    for (let i = 0; i < RUNS; i++) {
      refreshMs.push(await timed(() => call('POST', `/attempts/${attempts[(i % RUNS) + 1]}/pull-request/refresh`, 200)));
      rawRefreshMs.push(
        await timed(async () => {
          await hostCall('GET', `/repos/acme/widgets/pulls/${number}`);
          await hostCall('GET', `/repos/acme/widgets/commits/${sha}/check-runs?per_page=100`);
          await hostCall('GET', `/repos/acme/widgets/commits/${sha}/status?per_page=100`);
        }),
      );
    }
    const result: PullRequestsResult = {
      runs: RUNS,
      open: summarize(openMs),
      rawOpen: summarize(rawOpenMs),
      refresh: summarize(refreshMs),
      rawRefresh: summarize(rawRefreshMs),
      openOverheadP50Ms: summarize(openMs).p50 - summarize(rawOpenMs).p50,
      refreshOverheadP50Ms: summarize(refreshMs).p50 - summarize(rawRefreshMs).p50,
      hostProblems: fake.host.problems.length,
    };
    printTable(
      `13. Pull requests on the GitHub fake (OpenAPI-checked) and a git http-backend with token auth, ${RUNS} runs each (ms)`,
      ['', 'p50', 'p95', 'max'],
      [
        ['Forge: POST /attempts/{id}/pull-request', result.open.p50, result.open.p95, result.open.max],
        ['by hand: git push + find + create + comments', result.rawOpen.p50, result.rawOpen.p95, result.rawOpen.max],
        ['Forge: POST …/pull-request/refresh', result.refresh.p50, result.refresh.p95, result.refresh.max],
        ['by hand: the pull request, check runs, status', result.rawRefresh.p50, result.rawRefresh.p95, result.rawRefresh.max],
      ],
    );
    return result;
  } finally {
    agent.destroy();
    api.close();
    await server.stop();
    await origin.close();
    await fake.close();
  }
}
