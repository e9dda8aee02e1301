import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import {
  defineExecutor,
  defineGitProvider,
  definePack,
  providerHttpError,
  type ExecutorEvent,
  type GitProviderDefinition,
  type ProviderResponse,
  type PullRequest,
  type SpawnOptions,
} from '@forge-core/sdk';
import { createFakeRunContext, executorConformance, gitProviderConformance } from '@forge-core/sdk/testing';
import semver from 'semver';
import { parseSdkRange, pinnedMajor, satisfies } from '../src/testing/sdk-range.ts';
import echoPack, { echoDefinition, echoEvents } from './fixtures/conformance-kit/echo-pack/index.ts';
import { assertFailed, failedNames, failureOf, failures, runKit, type Outcome } from './support/run-kit.ts';

const ECHO_DIR = new URL('./fixtures/conformance-kit/echo-pack/', import.meta.url);
const ECHO_PACKAGE_JSON = new URL('package.json', ECHO_DIR);
const ECHO_TRANSCRIPTS = new URL('transcripts/', ECHO_DIR);
const EXCHANGES = new URL('./fixtures/conformance-kit/exchanges/', import.meta.url);


const RUN = (transcript: string) => `executor echo > run > turns ${transcript} into a valid stream that ends as recorded, with fake and with real processes`;
const ABORT = 'executor echo > abort > ends the stream promptly, yielding nothing but a cancelled done, when the run is stopped mid-stream';
const SDK_RANGE = 'manifest > pins one major of the SDK contract in forge.sdk, and accepts the installed SDK';
const RESUME = 'executor echo > resume > continues a session and hands its id to the CLI';
const DETECT_INSTALLED = 'executor echo > detect > resolves with a well-formed result when every executable is installed';
const DETECT_MISSING = 'executor echo > detect > reports available: false with a reason when nothing it looks for is installed';

type EchoDefinition = typeof echoDefinition;

function checkEcho(pack = echoPack, packageJson = ECHO_PACKAGE_JSON, abortTimeoutMs?: number): Promise<Outcome[]> {
  return runKit((runner) => executorConformance({ pack, packageJson, transcripts: ECHO_TRANSCRIPTS, abortTimeoutMs, ...runner }));
}

function checkEchoVariant(overrides: Partial<EchoDefinition>, abortTimeoutMs?: number): Promise<Outcome[]> {
  return checkEcho(definePack({ executors: [defineExecutor({ ...echoDefinition, ...overrides })] }), ECHO_PACKAGE_JSON, abortTimeoutMs);
}

/** The echo executor's events with a change applied to each, for variants that break the stream. */
function mapEchoRun(change: (event: ExecutorEvent, ctxAborted: boolean) => ExecutorEvent[] | Promise<ExecutorEvent[]>): EchoDefinition['run'] {
  return async function* (input, ctx) {
    for await (const event of echoEvents(ctx, ['--model', input.options.model], input.prompt)) yield* await change(event, ctx.signal.aborted);
  };
}

/** The echo executor, taking `ms` to yield its done once stopped. */
const slowToStop = (ms: number) => mapEchoRun(async (event, aborted) => (event.type === 'done' && aborted ? sleep(ms, [event]) : [event]));

describe('@forge-core/sdk/testing', () => {
  describe('executorConformance', () => {
    it('passes a conforming pack, with every suite its capabilities call for', async () => {
      const outcomes = await checkEcho();
      assert.deepEqual(failures(outcomes), []);
      const suites = new Set(outcomes.map((outcome) => outcome.name.split(' > ').slice(0, -1).join(' > ')));
      assert.deepEqual([...suites], ['manifest', 'executor echo > definition', 'executor echo > detect', 'executor echo > run', 'executor echo > abort', 'executor echo > resume']);
      assert.ok(outcomes.some((outcome) => outcome.name === RUN('success')) && outcomes.some((outcome) => outcome.name === RUN('failure')));
    });

    it('leaves the resume suite out for an executor that cannot resume', async () => {
      const outcomes = await checkEchoVariant({ capabilities: { resume: false, usageReporting: true }, resume: undefined });
      assert.equal(outcomes.filter((outcome) => outcome.name.includes('> resume >')).length, 0);
      assertFailed(outcomes, []);
    });

    it('fails a run that never yields done', async () => {
      const outcomes = await checkEchoVariant({ run: mapEchoRun((event) => (event.type === 'done' ? [] : [event])) });
      assertFailed(outcomes, [RUN('failure'), RUN('success')]);
      assert.match(failureOf(outcomes, RUN('success')), /ended without a done event/);
    });

    it('fails a run that yields two dones, even when stopped', async () => {
      const outcomes = await checkEchoVariant({ run: mapEchoRun((event) => (event.type === 'done' ? [event, { ...event }] : [event])) });
      assertFailed(outcomes, [ABORT, RUN('failure'), RUN('success')]);
      assert.match(failureOf(outcomes, RUN('success')), /yielded 2 done events/);
    });

    it('fails a run that yields an event the contract does not allow', async () => {
      const outcomes = await checkEchoVariant({ run: mapEchoRun((event) => [event.type === 'message' ? ({ ...event, role: 'robot' } as unknown as ExecutorEvent) : event]) });
      assertFailed(outcomes, [RUN('failure'), RUN('success')]);
      assert.match(failureOf(outcomes, RUN('success')), /event #2 is invalid: message event/);
    });

    it('fails a run whose events do not match the transcript', async () => {
      const outcomes = await checkEchoVariant({ run: mapEchoRun((event) => [event.type === 'done' && event.status === 'succeeded' ? { ...event, summary: 'Something else' } : event]) });
      assertFailed(outcomes, [RUN('success')]);
      assert.match(failureOf(outcomes, RUN('success')), /done was .*"Something else".*expected .*"Wrote hello.txt"/);
    });

    it('fails an executor that declares usage reporting and reports none', async () => {
      const outcomes = await checkEchoVariant({ run: mapEchoRun((event) => (event.type === 'usage' ? [] : [event])) });
      assertFailed(outcomes, [RUN('success')]);
      assert.match(failureOf(outcomes, RUN('success')), /yielded no usage event/);
    });

    it('fails a run that mutates its input or chooses its own cwd', async () => {
      const mutating = await checkEchoVariant({
        run(input, ctx) {
          (input.options as { model: string }).model = 'echo-2';
          return echoEvents(ctx, [], input.prompt);
        },
      });
      assertFailed(mutating, [ABORT, RUN('failure'), RUN('success')]);
      assert.match(failureOf(mutating, RUN('success')), /the run threw \(TypeError/);

      const escaping = await checkEchoVariant({
        run: (input, ctx) => echoEvents({ ...ctx, spawn: (command, args, options) => ctx.spawn(command, args, { ...options, cwd: '/' } as SpawnOptions) }, [], input.prompt),
      });
      assertFailed(escaping, [RUN('failure'), RUN('success')]);
      assert.match(failureOf(escaping, RUN('success')), /unknown spawn option "cwd"/);
    });

    it('fails a run that does not end as cancelled when stopped', async () => {
      const outcomes = await checkEchoVariant({ run: mapEchoRun((event) => [event.type === 'done' && event.status === 'cancelled' ? { ...event, status: 'failed' } : event]) });
      assertFailed(outcomes, [ABORT]);
      assert.match(failureOf(outcomes, ABORT), /done has status "failed"; it must be "cancelled"/);
    });

    it('fails a run that yields events after the stop', async () => {
      const outcomes = await checkEchoVariant({
        run: mapEchoRun((event, aborted) => {
          if (event.type !== 'done' || !aborted) return [event];
          const late = Array.from({ length: 20 }, (_, index): ExecutorEvent => ({ type: 'log', level: 'info', text: `still going ${index}` }));
          return [...late, event];
        }),
      });
      assertFailed(outcomes, [ABORT]);
      assert.match(failureOf(outcomes, ABORT), /20 event\(s\) came after the stop \(the first a log\); once ctx.signal is aborted, yield only done/);
    });

    it('fails a run that takes seconds to end after the stop, without waiting for it', async () => {
      let slowStreamEnded = false;
      const outcomes = await checkEchoVariant({
        run: mapEchoRun(async (event, aborted) => {
          if (event.type !== 'done' || !aborted) return [event];
          await sleep(5_000);
          slowStreamEnded = true;
          return [event];
        }),
      });
      assertFailed(outcomes, [ABORT]);
      assert.match(failureOf(outcomes, ABORT), /the stream of echo after the stop \(replaying success\) did not finish within 2000 ms/);
      assert.equal(slowStreamEnded, false, 'the kit waited for the slow stream instead of failing it at the limit');
    });

    it('holds a stopped run to abortTimeoutMs when given', async () => {
      assertFailed(await checkEchoVariant({ run: slowToStop(300) }), []);
      const strict = await checkEchoVariant({ run: slowToStop(300) }, 100);
      assertFailed(strict, [ABORT]);
      assert.match(failureOf(strict, ABORT), /did not finish within 100 ms/);
    });

    it('fails a resume that does not hand the session id to the CLI', async () => {
      const outcomes = await checkEchoVariant({ resume: (input, ctx) => echoEvents(ctx, ['--model', input.options.model], input.prompt) });
      assertFailed(outcomes, [RESUME]);
      assert.match(failureOf(outcomes, RESUME), /reached the CLI neither in its arguments, its environment nor what was written to its stdin/);
    });

    it('fails a detect that throws, or claims to be available when nothing is installed', async () => {
      const throwing = await checkEchoVariant({
        detect: async () => {
          throw new Error('boom');
        },
      });
      assertFailed(throwing, [DETECT_INSTALLED, DETECT_MISSING]);
      assert.match(failureOf(throwing, DETECT_MISSING), /detect must resolve, never throw:\n {2}- it threw Error: boom/);

      const lying = await checkEchoVariant({
        async detect(ctx) {
          await ctx.findExecutable('echo-agent');
          return { available: true };
        },
      });
      assertFailed(lying, [DETECT_MISSING]);
      assert.match(failureOf(lying, DETECT_MISSING), /looked up echo-agent, found nothing, and still reported available: true/);
    });

    it('fails option descriptors the host would misread, as defineExecutor refuses them', async () => {
      const misspelt = { model: { type: 'string', default: 'echo-1', maxLenght: 40 }, apiKey: { type: 'secret', env: 'ECHO_API_KEY' } } as never;
      assert.throws(() => defineExecutor({ ...echoDefinition, options: misspelt }), {
        name: 'TypeError',
        message: /defineExecutor\(echo\): options\.model: unknown key "maxLenght"/,
      });
      // An executor object not made by this SDK's defineExecutor (an older one, or by hand) is caught by the kit.
      const handMade = Object.freeze({ ...defineExecutor(echoDefinition), options: misspelt });
      const outcomes = await checkEcho(definePack({ executors: [handMade] }));
      assertFailed(outcomes, ['executor echo > definition > declares well-formed options and settings with defaults of the right type']);
      assert.match(failureOf(outcomes, 'executor echo > definition > declares well-formed options and settings with defaults of the right type'), /options\.model: unknown key "maxLenght"/);
    });

    describe('manifest', () => {
      let dir: string;
      beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), 'forge-kit-manifest-'));
      });
      afterEach(() => rmSync(dir, { recursive: true, force: true }));

      /** The echo pack's package.json with a change, next to an entry that re-exports the echo pack. */
      function echoManifestWith(change: (packageJson: Record<string, any>) => void): URL {
        const packageJson = JSON.parse(readFileSync(ECHO_PACKAGE_JSON, 'utf8')) as Record<string, any>;
        change(packageJson);
        writeFileSync(path.join(dir, 'package.json'), JSON.stringify(packageJson));
        writeFileSync(path.join(dir, 'index.js'), `export { default } from ${JSON.stringify(new URL('index.ts', ECHO_DIR).href)};\n`);
        return pathToFileURL(path.join(dir, 'package.json'));
      }

      /** The kit's verdict on the echo pack declaring this forge.sdk range. */
      const checkRange = (range: string) =>
        checkEcho(
          echoPack,
          echoManifestWith((pkg) => {
            pkg.forge.entry = './index.js';
            pkg.forge.sdk = range;
          }),
        );

      it('fails a range that pins a major but not one SDK 1.3.0 satisfies, as the host would refuse it', async () => {
        for (const range of ['^1.5.0', '1.4.x', '>=1.4.0 <2', '~1.4', '>1.3.0 <2.0.0', '~1.1.0', '2.x']) {
          const outcomes = await checkRange(range);
          assertFailed(outcomes, [SDK_RANGE]);
          assert.match(failureOf(outcomes, SDK_RANGE), new RegExp(`forge.sdk "${range.replace(/[.^*]/g, '\\$&')}" does not accept 1.3.0, the contract the SDK installed here implements`));
          assert.doesNotMatch(failureOf(outcomes, SDK_RANGE), /does not pin/);
        }
      });

      it('fails a range it cannot read, and says what to write instead', async () => {
        for (const range of ['latest', '^1.0.0-beta.1', '1.0.0+build', '^1.0.0 ||', '~>1.0']) {
          const outcomes = await checkRange(range);
          assertFailed(outcomes, [SDK_RANGE]);
          assert.match(failureOf(outcomes, SDK_RANGE), /is not a range the kit can read; use a simple range such as "\^1\.3\.0"/);
        }
      });

      it('passes ranges that pin major 1 and accept SDK 1.3.0', async () => {
        for (const range of ['^1.0.0', '^1.3.0', '1.x', '>=1.0.0 <2.0.0', '~1.3.0', '1', '1.3.0', '>= 1.0.0 < 2', '1.0.0 - 1.4', '^1.0.0 || ^1.3.0']) {
          assert.deepEqual(failures(await checkRange(range)), [], range);
        }
      });

      it('fails a manifest whose contributed ids are not the exported ones', async () => {
        const outcomes = await checkEcho(
          echoPack,
          echoManifestWith((pkg) => {
            pkg.forge.entry = './index.js';
            pkg.forge.contributes.executors = ['echo-agent'];
          }),
        );
        assertFailed(outcomes, ['manifest > contributes exactly the ids the pack exports']);
        assert.match(failureOf(outcomes, 'manifest > contributes exactly the ids the pack exports'), /lists \["echo-agent"\], but the pack exports \["echo"\]/);
      });

      it('fails a range that does not pin a major, a missing SDK dependency and an invalid field', async () => {
        const outcomes = await checkEcho(
          echoPack,
          echoManifestWith((pkg) => {
            pkg.forge.entry = './index.js';
            pkg.forge.sdk = '>=1.0.0';
            delete pkg.peerDependencies;
          }),
        );
        assertFailed(outcomes, ['manifest > depends on @forge-core/sdk as a peer dependency or a dependency', SDK_RANGE]);
        assert.match(failureOf(outcomes, SDK_RANGE), /forge.sdk ">=1.0.0" does not pin one major of the contract/);
        const invalid = await checkEcho(echoPack, echoManifestWith((pkg) => (pkg.forge.kind = 'agent')));
        assert.match(failureOf(invalid, 'manifest > has a valid forge field'), /invalid forge manifest:\n {2}- .*kind/);
      });
    });

    it('rejects options it cannot use with a TypeError that says what to pass', () => {
      const valid = { pack: echoPack, packageJson: ECHO_PACKAGE_JSON, transcripts: ECHO_TRANSCRIPTS, describe() {}, it() {} };
      assert.throws(() => executorConformance({ ...valid, pack: { executors: [] } as never }), { name: 'TypeError', message: /pack must be a value returned by definePack\(\)/ });
      assert.throws(() => executorConformance({ ...valid, transcript: ECHO_TRANSCRIPTS } as never), { name: 'TypeError', message: /unknown option "transcript"/ });
      assert.throws(() => executorConformance({ ...valid, packageJson: '../package.json' as never }), { name: 'TypeError', message: /packageJson must be a file: URL/ });
      assert.throws(() => executorConformance({ ...valid, abortTimeoutMs: 0 }), { name: 'TypeError', message: /abortTimeoutMs must be a positive number of milliseconds, received number 0/ });
      const dir = mkdtempSync(path.join(tmpdir(), 'forge-kit-transcripts-'));
      try {
        writeFileSync(path.join(dir, 'orphan.jsonl'), '{}\n');
        assert.throws(() => executorConformance({ ...valid, transcripts: pathToFileURL(`${dir}/`) }), { name: 'TypeError', message: /orphan\.expected\.json/ });
        writeFileSync(path.join(dir, 'orphan.expected.json'), JSON.stringify({ done: { status: 'ok' }, evnts: [] }));
        assert.throws(() => executorConformance({ ...valid, transcripts: pathToFileURL(`${dir}/`) }), {
          name: 'TypeError',
          message: /"done" must be an object whose status is one of succeeded, failed, cancelled; unknown field "evnts"/,
        });
        writeFileSync(path.join(dir, 'orphan.expected.json'), JSON.stringify({ done: { status: 'succeeded' }, source: { cli: 'gemini', version: '0.61.0' } }));
        assert.throws(() => executorConformance({ ...valid, transcripts: pathToFileURL(`${dir}/`) }), {
          name: 'TypeError',
          message: /"source" must be \{"cli", "version", "document"\}, each a non-empty string/,
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    describe('the forge.sdk range reader', () => {
      const VERSIONS = ['0.0.0', '0.0.3', '0.1.0', '0.2.5', '1.0.0', '1.1.9', '1.2.0', '1.2.3', '1.2.4', '1.3.0', '1.4.0', '1.4.1', '1.5.0', '1.9.9', '2.0.0', '2.1.0', '3.0.0'];
      const RANGES = [
        ...['1.2.3', '=1.2.3', 'v1.2.3', '^1.2.3', '^1.2', '^1', '^1.x', '^0.2.3', '^0.0.3', '^0.0', '^0.x', '~1.2.3', '~1.2', '~1', '~0.2.3', '~ 1.2'],
        ...['1', '1.x', '1.2.x', '1.*', '*', 'x', 'X.X', '>=1.0.0 <2.0.0', '>= 1.0.0 < 2', '>1.2', '>1.2.3', '>1', '<=1.4.0', '<=1.4', '<1.2', '<2', '>=1.3.0 <2'],
        ...['1.0.0 - 1.4.0', '1.2 - 1.4', '1 - 2', '^1.0.0 || ^2.0.0', '1.2.x || 1.4.x', '<1.0.0 || >=1.5.0', '>=2.0.0 <1.0.0', '<*', '>*'],
      ];

      it('agrees with node-semver, which the host uses, on every version', () => {
        const disagreements = RANGES.flatMap((range) => {
          const parsed = parseSdkRange(range);
          if (parsed === null) return [`${range}: unread`];
          return VERSIONS.filter((version) => satisfies(version, parsed) !== semver.satisfies(version, range, { includePrerelease: true })).map((version) => `${range} on ${version}`);
        });
        assert.deepEqual(disagreements, []);
      });

      it('finds the one major a range pins, or none', () => {
        const pinned = (range: string) => pinnedMajor(parseSdkRange(range) ?? assert.fail(`${range} unread`));
        const ranges = ['^1.0.0', '~1.2', '1.x', '1', '>=1.2.0 <2.0.0', '1.0.0 - 1.4.0', '^1.0.0 || ^1.2.0', '^0.2.3', '<1.0.0'];
        assert.deepEqual(ranges.map(pinned), [1, 1, 1, 1, 1, 1, 1, 0, 0]);
        const open = ['>=1.0.0', '*', '^1 || ^2', '>=1.0.0 <=2.0.0', '>1', '<2', '1 - 2', '>=1.0.0 <2.0.1'];
        assert.deepEqual(open.map(pinned), open.map(() => null));
      });

      it('reads no form it does not know', () => {
        for (const range of ['', 'latest', '^1.0.0-beta.1', '1.0.0+build', '^1.0.0 ||', '~>1.0', '>=1.0.0 - 2.0.0', '01.0.0', '1.0.0.0', '1.x.3', '^*.1', '>=', '!1']) {
          assert.equal(parseSdkRange(range), null, range);
        }
      });
    });

    it('fails, rather than passes, an executor with no transcripts to replay', async () => {
      const outcomes = await runKit((runner) => executorConformance({ pack: echoPack, packageJson: ECHO_PACKAGE_JSON, transcripts: EXCHANGES, ...runner }));
      assertFailed(outcomes, [ABORT, 'executor echo > run > has recorded transcripts to replay', RESUME]);
    });
  });

  describe('createFakeRunContext', () => {
    it('records the spawn and replays stdout, then stderr, then the exit', async () => {
      const ctx = createFakeRunContext({ recording: { stdout: ['one', 'two'], stderr: ['warning'], exitCode: 3 } });
      const child = ctx.spawn('agent', ['-p'], { env: { MODE: 'fast' }, stdin: 'the prompt' });
      const lines: string[] = [];
      for await (const line of child.lines()) lines.push(`${line.stream}:${line.text}`);
      assert.deepEqual(lines, ['stdout:one', 'stdout:two', 'stderr:warning']);
      assert.deepEqual(await child.exited, { code: 3, signal: null });
      assert.deepEqual(ctx.spawned[0]?.call, { command: 'agent', args: ['-p'], options: { env: { MODE: 'fast' }, stdin: 'the prompt' } });
    });

    it('kills the process on abort: no further lines, exit by SIGTERM', async () => {
      const ctx = createFakeRunContext({ recording: { stdout: ['one', 'two', 'three'] } });
      const child = ctx.spawn('agent', []);
      const lines: string[] = [];
      for await (const line of child.lines()) {
        lines.push(line.text);
        ctx.abort();
      }
      assert.deepEqual(lines, ['one']);
      assert.deepEqual(await child.exited, { code: null, signal: 'SIGTERM' });
    });
  });

  describe('gitProviderConformance', () => {
    const API = 'https://git.kit.test/api/repos';
    const REMOTE = /^(?:https:\/\/git\.kit\.test\/|git@git\.kit\.test:)([\w.-]+)\/([\w.-]+?)(?:\.git)?$/;
    const REMOTES = [
      { url: 'https://git.kit.test/acme/widgets.git', expected: { host: 'git.kit.test', owner: 'acme', repo: 'widgets' } },
      { url: 'git@git.kit.test:acme/widgets.git', expected: { host: 'git.kit.test', owner: 'acme', repo: 'widgets' } },
      { url: 'https://github.com/acme/widgets.git', expected: null },
    ];
    const pullRequest = (body: unknown): PullRequest => {
      const { web_url: url, ...rest } = body as PullRequest & { web_url: string };
      return { ...rest, url };
    };

    const kitGit: GitProviderDefinition = {
      id: 'kit-git',
      displayName: 'Kit Git',
      capabilities: { draftPullRequests: true, reviewComments: false },
      auth: { env: 'KIT_GIT_TOKEN' },
      defaultApiUrl: () => 'https://git.kit.test/api',
      matchRemote(url) {
        const match = REMOTE.exec(url);
        return match ? { host: 'git.kit.test', owner: match[1] as string, repo: match[2] as string } : null;
      },
      async createPullRequest(input, ctx) {
        const { owner, repo } = input.remote;
        const body = { title: input.title, head: input.head, base: input.base, draft: input.draft ?? false };
        const response = await ctx.fetch(`${API}/${owner}/${repo}/pulls`, { method: 'POST', headers: { authorization: `token ${ctx.token}` }, body });
        if (response.status !== 201) throw providerHttpError('kit-git', 'opening a pull request', response);
        return pullRequest(response.body);
      },
      async getPullRequest(ref, ctx) {
        const response = await ctx.fetch(`${API}/${ref.remote.owner}/${ref.remote.repo}/pulls/${ref.number}`, { headers: { authorization: `token ${ctx.token}` } });
        if (response.status !== 200) throw providerHttpError('kit-git', `reading pull request ${ref.number}`, response);
        return pullRequest(response.body);
      },
    };

    const check = (overrides: Partial<GitProviderDefinition>) =>
      runKit((runner) => gitProviderConformance({ provider: defineGitProvider({ ...kitGit, ...overrides }), remotes: REMOTES, exchanges: EXCHANGES, ...runner }));
    const ERROR_TESTS = ['createPullRequest', 'getPullRequest'].flatMap((call) =>
      [
        [401, 'FORGE_PROVIDER_AUTH_FAILED'],
        [404, 'FORGE_PROVIDER_NOT_FOUND'],
        [429, 'FORGE_PROVIDER_RATE_LIMITED'],
      ].map(([status, code]) => `error mapping > rejects ${call} answered with HTTP ${status} as ${code}, without the token`),
    );
    const MISSING_PR = 'pull requests > getPullRequest replays get-missing-pull-request';
    /** A provider whose failed requests throw what `wrap` makes of the host's response. */
    const failingWith = (wrap: (response: ProviderResponse, token: string | null) => Error): Partial<GitProviderDefinition> => ({
      async getPullRequest(ref, ctx) {
        const response = await ctx.fetch(`${API}/${ref.remote.owner}/${ref.remote.repo}/pulls/${ref.number}`);
        if (response.status !== 200) throw wrap(response, ctx.token);
        return pullRequest(response.body);
      },
      async createPullRequest(input, ctx) {
        const body = { title: input.title, head: input.head, base: input.base, draft: false };
        const response = await ctx.fetch(`${API}/${input.remote.owner}/${input.remote.repo}/pulls`, { method: 'POST', headers: { authorization: `token ${ctx.token}` }, body });
        if (response.status !== 201) throw wrap(response, ctx.token);
        return pullRequest(response.body);
      },
    });

    it('passes a conforming provider', async () => {
      const outcomes = await check({});
      assert.deepEqual(failures(outcomes), []);
      assert.equal(outcomes.length, 3 + 4 + 2 + 3 + ERROR_TESTS.length);
    });

    it('fails a provider that does not map HTTP failures to the catalogue codes', async () => {
      const outcomes = await check(failingWith((response) => new Error(`HTTP ${response.status}`)));
      assertFailed(outcomes, [...ERROR_TESTS, MISSING_PR]);
      assert.match(failureOf(outcomes, MISSING_PR), /expected code FORGE_PROVIDER_NOT_FOUND/);
    });

    it('fails a provider whose errors carry the token', async () => {
      const outcomes = await check(failingWith((response, token) => providerHttpError('kit-git', `a request with ${token}`, response)));
      assertFailed(outcomes, [...ERROR_TESTS, MISSING_PR]);
      assert.match(failureOf(outcomes, ERROR_TESTS[0] as string), /contain the token/);
    });

    it('fails a provider that opens pull requests without the token or with the wrong body', async () => {
      const outcomes = await check({
        async createPullRequest(input, ctx) {
          const response = await ctx.fetch(`${API}/${input.remote.owner}/${input.remote.repo}/pulls`, { method: 'POST', body: { title: input.title } });
          if (response.status !== 201) throw providerHttpError('kit-git', 'opening a pull request', response);
          return pullRequest(response.body);
        },
      });
      // The error-mapping tests replay the same request, so they see the wrong body too.
      assertFailed(outcomes, ['pull requests > createPullRequest replays create-pull-request', ...ERROR_TESTS.filter((name) => name.includes('createPullRequest'))]);
      assert.match(failureOf(outcomes, 'pull requests > createPullRequest replays create-pull-request'), /sent the body \{"title":"Add a greeting"\}[^]*no request carried ctx.token/);
    });

    it('fails a matchRemote that throws on, or claims, what is not its remote', async () => {
      const NEGATIVES = 'matchRemote > answers null, without throwing, for what is not a remote of a code host, self-hosted or not';
      const throwing = await check({ matchRemote: (url) => kitGit.matchRemote(new URL(url).href) });
      assert.ok(failedNames(throwing).includes(NEGATIVES));
      assert.match(failureOf(throwing, NEGATIVES), /matchRemote\(""\) threw/);
      const greedy = await check({ matchRemote: (url) => kitGit.matchRemote(url) ?? { host: 'git.kit.test', owner: 'x', repo: 'y' } });
      assertFailed(greedy, ['matchRemote > reads "https://github.com/acme/widgets.git" as not its own', NEGATIVES]);
    });
  });
});
