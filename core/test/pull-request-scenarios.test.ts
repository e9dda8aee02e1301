import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProviderFake } from '@forge-core/openapi-fake-host';
import { git as gitAsync } from '../src/git/git.ts';
import { startGitHttpServer, type GitHttpServer } from './support/git-http-server.ts';
import { git, makeRepo } from './support/git-repo.ts';
import { freePort, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { readSse } from './support/sse-client.ts';
import { filesHolding } from './support/files-holding.ts';
import { tempDir } from './support/temp-dir.ts';

const PROVIDERS = [
  { id: 'github', start: async (options: object) => (await import('../../git-providers/github/test/support/fake-github.ts')).startFakeGitHub(options) },
  { id: 'gitlab', start: async (options: object) => (await import('../../git-providers/gitlab/test/support/fake-gitlab.ts')).startFakeGitLab(options) },
  { id: 'bitbucket', start: async (options: object) => (await import('../../git-providers/bitbucket/test/support/fake-bitbucket.ts')).startFakeBitbucket(options) },
  { id: 'gitea', start: async (options: object) => (await import('../../git-providers/gitea/test/support/fake-gitea.ts')).startFakeGitea(options) },
] as const;

const FAILURE = 'TypeError: widget.size is undefined at sum (src/widget.ts:12)';

/**
 * The whole road, per provider, against its stateful fake host (every request and answer
 * checked against the vendor's OpenAPI) and a real git http-backend demanding the same token:
 * attempt → pull request opened → checks pending → failed → a follow-up carrying the failure →
 * its work pushed → checks pass → a review comment → a follow-up → the budget spent, a person
 * told → merged on the host → task done. Forge runs as its own process, so its log is read too.
 */
for (const provider of PROVIDERS) {
  describe(`pull requests end to end: ${provider.id}`, function () {
    this.timeout(120_000);
    let dirs: ReturnType<typeof tempDir>;
    let fake: ProviderFake;
    let origin: GitHttpServer;
    let forge: ServerProcess;
    let home: string;
    let repo: string;
    let bare: string;
    let projectId: string;
    let taskId: string;
    let attemptId: string;
    let number: number;
    const answers: string[] = [];

    const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
      const response = await fetch(`${forge.url}/api/v1${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      answers.push(text);
      return { status: response.status, body: text ? JSON.parse(text) : null };
    };
    const until = async <T>(what: string, check: () => Promise<T | undefined | null | false>): Promise<T> => {
      // A backstop far above what a busy machine needs; the wait ends as soon as the check holds.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const value = await check();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`${provider.id}: ${what} did not happen`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const finished = () => until('the attempt finishing', async () => {
      const { body } = await api('GET', `/attempts/${attemptId}`);
      return ['succeeded', 'failed', 'cancelled'].includes(body.state) && body.followUpPrompt === null ? body : undefined;
    });
    const refresh = async () => {
      const refreshed = await api('POST', `/attempts/${attemptId}/pull-request/refresh`);
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      return refreshed.body;
    };
    const remoteHead = async () => (await gitAsync(['rev-parse', `refs/heads/${(await api('GET', `/attempts/${attemptId}`)).body.branch}`], { cwd: bare })).stdout.trim();

    before(async () => {
      dirs = tempDir(`forge-pr-${provider.id}-`);
      fake = await provider.start({ owner: 'acme', repo: 'widgets' });
      origin = await startGitHttpServer({ root: join(dirs.path, 'served'), username: null, token: fake.token });
      repo = makeRepo(join(dirs.path, 'widgets'));
      bare = await origin.createBareRepo('acme/widgets', { from: repo });
      git(repo, 'remote', 'add', 'origin', origin.repoUrl('acme/widgets'));
      home = join(dirs.path, 'home');
      const { mkdirSync } = await import('node:fs');
      mkdirSync(home);
      // A budget far above the default: the test polls on demand, many times a minute.
      writeFileSync(join(home, 'config.json'), JSON.stringify({ gitHosts: { '127.0.0.1': { provider: provider.id, apiUrl: fake.apiBaseUrl, token: fake.token, gitUrl: origin.url, requestsPerHour: 1_000_000 } } }));
      // The scheduled poll stays out of the way (an hour); the test polls on demand, and the poll
      // the end of a reaction's run sets off is what pushes its work.
      forge = await startServerProcess(home, await freePort(), { FORGE_LOG_LEVEL: 'debug', FORGE_PULL_REQUEST_POLL_INTERVAL_MS: '3600000', FORGE_VALIDATE_RESPONSES: '1' });
      const project = await api('POST', '/projects', { name: 'widgets', repoPath: repo });
      assert.equal(project.status, 201, JSON.stringify(project.body));
      projectId = project.body.id;
    });

    after(async () => {
      forge?.child.kill('SIGTERM');
      await forge?.exited;
      await origin?.close();
      await fake?.close();
      dirs?.cleanup();
    });

    it('opens the pull request once: pushes the branch with the token, and a second call answers the same one', async () => {
      const task = await api('POST', '/tasks', { projectId, title: 'Make widgets add up', description: 'The sum is wrong for empty widgets.' });
      taskId = task.body.id;
      // Each run writes the prompt it got into a new file, so what a follow-up told the agent is in the branch;
      // a prompt asking for the impossible makes the run fail.
      const command = 'n=$(ls prompt-*.txt 2>/dev/null | wc -l); cat > prompt-$n.txt; if grep -q IMPOSSIBLE prompt-$n.txt; then exit 3; fi; echo "Wrote prompt-$n.txt"';
      const started = await api('POST', `/tasks/${taskId}/attempts`, { executor: 'script', options: { command } });
      assert.equal(started.status, 202, JSON.stringify(started.body));
      attemptId = started.body.id;
      assert.equal((await finished()).state, 'succeeded');

      const opened = await api('POST', `/attempts/${attemptId}/pull-request`, { draft: false });
      assert.equal(opened.status, 200, JSON.stringify(opened.body));
      number = opened.body.number;
      assert.equal(opened.body.provider, provider.id);
      assert.equal(opened.body.state, 'open');
      assert.equal(opened.body.repository, 'acme/widgets');
      const onHost = fake.pullRequests();
      assert.equal(onHost.length, 1);
      assert.equal(onHost[0]!.head, opened.body.head);
      assert.equal(onHost[0]!.base, 'main');
      assert.match(onHost[0]!.title, /Make widgets add up/);
      assert.match(onHost[0]!.body, /The sum is wrong for empty widgets/);
      assert.match(onHost[0]!.body, /Wrote prompt-0\.txt/, "the agent's summary, from its commit");
      assert.equal(await remoteHead(), git(repo, 'rev-parse', opened.body.head), 'the branch was pushed first');

      const again = await api('POST', `/attempts/${attemptId}/pull-request`);
      assert.equal(again.status, 200);
      assert.equal(again.body.number, number);
      assert.equal(fake.pullRequests().length, 1, 'no second pull request');
      assert.deepEqual((await api('GET', `/attempts/${attemptId}/pull-request`)).body.number, number);
      const attempt = (await api('GET', `/attempts/${attemptId}`)).body;
      assert.deepEqual(attempt.pullRequest, { number, url: opened.body.url, state: 'open', checks: null }, 'the attempt shows its pull request');
    });

    it('follows checks: pending, then a failure that becomes a follow-up carrying it, whose work is pushed', async () => {
      const reactions = await api('PATCH', `/projects/${projectId}`, { pullRequestReactions: { ciFailure: true, reviewComments: true, maxFollowUps: 3 } });
      assert.equal(reactions.status, 200, JSON.stringify(reactions.body));
      fake.setChecks(number, 'pending', { name: 'unit tests' });
      const pending = await refresh();
      assert.equal(pending.checks.state, 'pending');
      assert.equal(pending.reactions.used, 0);

      fake.setChecks(number, 'failure', { name: 'unit tests', summary: FAILURE });
      const failed = await refresh();
      assert.equal(failed.checks.state, 'failure');
      assert.equal(failed.reactions.used, 1);
      assert.equal(failed.reactions.pending, 'checks');
      const headBefore = await remoteHead();
      await finished();
      // The end of the run sets off a poll that pushes its commit to the pull request's branch.
      await until('the reaction pushed', async () => (await api('GET', `/attempts/${attemptId}/pull-request`)).body.reactions.pending === null);
      const headAfter = await remoteHead();
      assert.notEqual(headAfter, headBefore);
      const told = (await gitAsync(['show', `${headAfter}:prompt-1.txt`], { cwd: bare })).stdout;
      assert.match(told, /unit tests/);
      assert.match(told, new RegExp(FAILURE.replace(/[.()]/g, '\\$&')), 'the failure reached the agent');

      fake.setHeadSha(number, headAfter);
      fake.setChecks(number, 'success', { name: 'unit tests' });
      const passing = await refresh();
      assert.equal(passing.checks.state, 'success');
      // Bitbucket answers the 12-character abbreviation of the commit.
      assert.ok(headAfter.startsWith(passing.headSha), `${passing.headSha} is ${headAfter}`);
      assert.equal(passing.reactions.used, 1, 'passing checks set nothing off');
    });

    it('turns a review comment into a follow-up with its file and line, then tells a person when the budget is spent', async () => {
      fake.addReviewComment(number, { body: 'Handle the empty list here.', path: 'src/widget.ts', line: 12, author: 'reviewer' });
      const commented = await refresh();
      assert.equal(commented.reactions.used, 2);
      assert.equal(commented.reactions.pending, 'review');
      await finished();
      await until('the review reaction pushed', async () => (await api('GET', `/attempts/${attemptId}/pull-request`)).body.reactions.pending === null);
      const told = (await gitAsync(['show', `${await remoteHead()}:prompt-2.txt`], { cwd: bare })).stdout;
      assert.match(told, /src\/widget\.ts:12/);
      assert.match(told, /Handle the empty list here\./);

      // A follow-up whose run fails is not pushed, and a person is told.
      const headBefore = await remoteHead();
      fake.addReviewComment(number, { body: 'Make it IMPOSSIBLE.', path: 'src/widget.ts', line: 1, author: 'reviewer' });
      assert.equal((await refresh()).reactions.used, 3);
      assert.equal((await finished()).state, 'failed');
      await until('the failed reaction settled', async () => (await api('GET', `/attempts/${attemptId}/pull-request`)).body.reactions.pending === null);
      assert.equal(await remoteHead(), headBefore, 'the failed run pushed nothing');

      fake.addReviewComment(number, { body: 'And rename it.', path: 'src/widget.ts', line: 3, author: 'reviewer' });
      const spent = await refresh();
      assert.equal(spent.reactions.used, 3, 'no follow-up past the budget');
      assert.ok(spent.reactions.budgetSpentAt, 'a person is told');
      assert.equal((await api('GET', `/attempts/${attemptId}`)).body.state, 'failed', 'the attempt was not queued again');
      const events = await readSse(`${forge.url}/api/v1/events`, { lastEventId: '0', until: (seen) => seen.filter((e) => e.event === 'pull_request.needs_attention').length >= 2 });
      const attention = events.filter((e) => e.event === 'pull_request.needs_attention').map((e) => (e.data.data ?? e.data).reason);
      assert.deepEqual(attention, ['reaction_failed', 'review']);
    });

    it('a rate limit is a clear error naming the host and the wait; Forge asks nothing until then', async () => {
      fake.rateLimitNext(2);
      const limited = await api('POST', `/attempts/${attemptId}/pull-request/refresh`);
      assert.equal(limited.status, 503, JSON.stringify(limited.body));
      assert.equal(limited.body.error.code, 'FORGE_PROVIDER_RATE_LIMITED');
      assert.match(limited.body.error.message, /at 127\.0\.0\.1 rate-limited Forge/);
      assert.equal(limited.body.error.details.retryAfterSeconds, 2);
      const stored = (await api('GET', `/attempts/${attemptId}/pull-request`)).body;
      assert.equal(stored.lastError.code, 'FORGE_PROVIDER_RATE_LIMITED');
      const sent = fake.host.requests.length;
      const waiting = await api('POST', `/attempts/${attemptId}/pull-request/refresh`);
      if (waiting.status === 503) {
        assert.match(waiting.body.error.message, /asked Forge to wait/);
        assert.equal(fake.host.requests.length, sent, 'nothing was sent to the host while it asked to wait');
      }
      await until('the host answering again', async () => (await api('POST', `/attempts/${attemptId}/pull-request/refresh`)).status === 200);
    });

    it('moves the task to done once the host merged the pull request', async () => {
      fake.merge(number);
      const merged = await refresh();
      assert.equal(merged.state, 'merged');
      assert.equal(merged.lastError, null);
      await until('the task closing', async () => (await api('GET', `/tasks/${taskId}`)).body.status === 'done');
      assert.equal((await api('GET', `/attempts/${attemptId}`)).body.pullRequest.state, 'merged');
    });

    it('adopts the pull request the host already has for the branch (opened before a crash), and closes the task when it was merged', async () => {
      const task = await api('POST', '/tasks', { projectId, title: 'Opened before a crash' });
      const started = await api('POST', `/tasks/${task.body.id}/attempts`, { executor: 'script', options: { command: 'echo again > again.txt' } });
      const id = started.body.id;
      await until('the second attempt finishing', async () => ['succeeded', 'failed'].includes((await api('GET', `/attempts/${id}`)).body.state));
      const pushed = await api('POST', `/attempts/${id}/push`);
      assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
      // Forge opened it, then died before storing it: the host has it, Forge does not.
      const { providerContextOver } = await import('@forge-core/openapi-fake-host');
      const pack = (await import(`../../git-providers/${provider.id}/src/index.ts`)).default;
      const opened = await pack.gitProviders[0].createPullRequest(
        { remote: { host: '127.0.0.1', owner: 'acme', repo: 'widgets' }, title: 'Opened before a crash', head: pushed.body.branch, base: 'main' },
        providerContextOver({ apiBaseUrl: fake.apiBaseUrl, token: fake.token }),
      );
      fake.merge(opened.number);
      const before = fake.pullRequests().length;
      const adopted = await api('POST', `/attempts/${id}/pull-request`);
      assert.equal(adopted.status, 200, JSON.stringify(adopted.body));
      assert.equal(adopted.body.number, opened.number);
      assert.equal(adopted.body.state, 'merged');
      assert.equal(fake.pullRequests().length, before, 'no second pull request');
      await until('the task closing', async () => (await api('GET', `/tasks/${task.body.id}`)).body.status === 'done');
    });

    it('sent every request as the vendor describes it, and left the token nowhere', async () => {
      fake.host.assertClean();
      for (const where of [join(repo, '.git'), join(home, 'worktrees')]) assert.deepEqual(filesHolding(where, fake.token), [], where);
      for (const file of readdirSync(home).filter((name) => name.startsWith('forge.sqlite'))) {
        assert.ok(!readFileSync(join(home, file)).includes(fake.token), `${file} (events, logs, rows) holds no token`);
      }
      assert.deepEqual(answers.filter((answer) => answer.includes(fake.token)), []);
      const log = forge.output();
      assert.match(log, /pull request opened/, 'the log was captured');
      assert.ok(!log.includes(fake.token), 'the server log holds no token');
    });
  });
}
