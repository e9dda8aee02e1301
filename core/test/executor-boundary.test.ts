import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SDK_CONTRACT_VERSION } from '@forge-core/sdk';
import { makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const packs = fileURLToPath(new URL('./fixtures/packs/', import.meta.url));

describe('executor boundary', () => {
  let server: TestServer;
  let repos: ReturnType<typeof tempDir>;
  let taskId: string;

  before(async () => {
    server = await startTestServer({
      FORGE_PLUGIN_PATHS: ['misbehaving', 'bad-manifest', 'future-sdk', 'throws-on-import', 'hangs-in-detect', 'duplicate-id']
        .map((p) => join(packs, p))
        .join(':'),
      // Short enough for a test, long beyond what a healthy hook or stream needs.
      FORGE_PLUGIN_HOOK_TIMEOUT_MS: '300',
      FORGE_AGENT_STREAM_IDLE_MS: '1500',
    });
    repos = tempDir('forge-boundary-');
    const repo = makeRepo(join(repos.path, 'repo'));
    const project = (await server.request('POST', '/projects', { name: 'b', repoPath: repo })).body;
    taskId = (await server.request('POST', '/tasks', { projectId: project.id, title: 'misbehave' })).body.id;
  });

  after(async () => {
    await server.close();
    repos.cleanup();
  });

  async function run(executor: string, options?: Record<string, unknown>) {
    const started = await server.request('POST', `/tasks/${taskId}/attempts`, { executor, options });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    return server.waitForAttempt(started.body.id);
  }

  it('fails an attempt whose executor yields an event that breaks the contract', async () => {
    const attempt = await run('emits-invalid');
    assert.equal(attempt.state, 'failed');
    assert.equal(attempt.error.code, 'FORGE_PLUGIN_EVENT_INVALID');
    assert.match(attempt.error.message, /role/);
  });

  it('fails an attempt whose executor throws, naming the executor', async () => {
    const attempt = await run('throws-midrun');
    assert.equal(attempt.state, 'failed');
    assert.equal(attempt.error.code, 'FORGE_PLUGIN_HOOK_FAILED');
    assert.match(attempt.error.message, /throws-midrun.*executor blew up/);
  });

  it('fails an attempt whose stream never ends once nothing runs, while other attempts go on', async () => {
    const stuck = await server.request('POST', `/tasks/${taskId}/attempts`, { executor: 'never-ends' });
    assert.equal(stuck.status, 202);
    const other = await run('script', { command: 'echo beside' });
    assert.equal(other.state, 'succeeded', 'an attempt started beside the stuck one finished');
    const attempt = await server.waitForAttempt(stuck.body.id);
    assert.equal(attempt.state, 'failed');
    assert.equal(attempt.error.code, 'FORGE_PLUGIN_HOOK_TIMEOUT');
    assert.match(attempt.error.message, /forge-test-misbehaving never-ends\.run\(\) yielded nothing for 1500 ms/);
  });

  it('cancels a never-ending stream on stop without waiting for it', async () => {
    const started = await server.request('POST', `/tasks/${taskId}/attempts`, { executor: 'never-ends' });
    await server.waitFor(async () => (await server.request('GET', `/attempts/${started.body.id}`)).body.state === 'running');
    const stopped = await server.request('POST', `/attempts/${started.body.id}/stop`);
    assert.equal(stopped.status, 200);
    assert.equal(stopped.body.state, 'cancelled');
  });

  it('fails an attempt whose agent process is killed mid-run, with what the executor said', async () => {
    const attempt = await run('agent-crashes');
    assert.equal(attempt.state, 'failed');
    assert.equal(attempt.error.code, 'FORGE_AGENT_FAILED');
    assert.match(attempt.error.message, /killed by SIGKILL/);
  });

  it('fails an attempt whose executor ends without a done event', async () => {
    const attempt = await run('no-done');
    assert.equal(attempt.state, 'failed');
    assert.equal(attempt.error.code, 'FORGE_PLUGIN_EVENT_INVALID');
  });

  it('hands a secret option to the agent in its environment, over the pack\'s own value, and never shows it in the API or the log', async () => {
    const token = 'sk-fixture-0123456789';
    const started = await server.request('POST', `/tasks/${taskId}/attempts`, { executor: 'uses-secret', options: { token } });
    assert.equal(started.status, 202);
    assert.equal(started.body.options.token, '[redacted]');
    const attempt = await server.waitForAttempt(started.body.id);
    assert.equal(attempt.state, 'succeeded');
    const logs = await server.request('GET', `/attempts/${attempt.id}/logs`);
    assert.ok(logs.body.items.some((e: any) => e.payload.text === `token length ${token.length}`));
    const everything = JSON.stringify([started.body, attempt, logs.body, (await server.request('GET', `/tasks/${taskId}/attempts`)).body]);
    assert.ok(!everything.includes(token), 'the token appears nowhere');
  });

  it('refuses a secret too short to mask and any option holding a NUL, quoting neither value', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ token: 'e' }, /"token" is shorter than 8 characters; a secret that short could not be kept out of the logs/],
      [{ token: 'NULSECRET\u0000probe-xyz' }, /"token" must not contain a NUL character/],
    ];
    for (const [options, message] of cases) {
      const refused = await server.request('POST', `/tasks/${taskId}/attempts`, { executor: 'uses-secret', options });
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.match(refused.body.error.message, message);
      assert.ok(!JSON.stringify(refused.body).includes('probe-xyz'), 'the value is not quoted');
    }
    const nulArgument = await server.request('POST', `/tasks/${taskId}/attempts`, { executor: 'script', options: { command: 'echo a\u0000b' } });
    assert.equal(nulArgument.status, 400, JSON.stringify(nulArgument.body));
  });

  const pack = (name: string) => {
    const found = server.forge.registry.packs.find((p) => p.name === name);
    assert.ok(found, `${name} is reported`);
    return found;
  };

  /** The other packs still run: an attempt with the built-in script executor succeeds. */
  async function othersStillServe() {
    const attempt = await run('script', { command: 'echo still serving' });
    assert.equal(attempt.state, 'succeeded', 'the other packs still run');
  }

  it('reports a pack with a bad manifest, and serves the others', async () => {
    const bad = pack('forge-test-bad-manifest');
    assert.equal(bad.status, 'failed');
    assert.equal(bad.error!.code, 'FORGE_PLUGIN_MANIFEST_INVALID');
    assert.match(bad.error!.message, /forge\.manifestVersion/);
    await othersStillServe();
  });

  it('reports a pack that needs a newer SDK major, with the commands that fix it, and serves the others', async () => {
    const future = pack('forge-test-future-sdk');
    assert.equal(future.status, 'failed');
    assert.equal(future.error!.code, 'FORGE_PLUGIN_SDK_INCOMPATIBLE');
    assert.match(future.error!.message, new RegExp(`requires forge SDK \\^9\\.0\\.0 but this host implements ${SDK_CONTRACT_VERSION.replaceAll('.', '\\.')}`));
    assert.match(future.error!.message, /`forgecore plugins add forge-test-future-sdk@<version>`.*`forgecore plugins disable forge-test-future-sdk`/);
    const { body } = await server.request('GET', '/executors');
    assert.ok(!body.items.some((e: any) => e.id === 'from-the-future'));
    await othersStillServe();
  });

  it('reports a pack that throws on import, refuses its executors with the reason, and serves the others', async () => {
    const importFails = pack('forge-test-throws-on-import');
    assert.equal(importFails.status, 'failed');
    assert.equal(importFails.error!.code, 'FORGE_PLUGIN_IMPORT_FAILED');
    assert.match(importFails.error!.message, /Could not import forge-test-throws-on-import entry \.\/index\.ts: missing native module/);
    const refused = await server.request('POST', `/tasks/${taskId}/attempts`, { executor: 'explodes' });
    assert.equal(refused.status, 422);
    assert.match(refused.body.error.message, /"explodes" comes from forge-test-throws-on-import, which is failed: Could not import/);
    await othersStillServe();
  });

  it('calls an executor whose detect() hangs unavailable after the hook timeout, and serves the others', async () => {
    const hangs = pack('forge-test-hangs-in-detect');
    assert.equal(hangs.status, 'unavailable');
    assert.match(hangs.error!.message, /slow-detect: forge-test-hangs-in-detect slow-detect\.detect\(\) did not answer within 300 ms/);
    const { body } = await server.request('GET', '/executors');
    assert.equal(body.items.find((e: any) => e.id === 'slow-detect').available, false);
    const refused = await server.request('POST', `/tasks/${taskId}/attempts`, { executor: 'slow-detect' });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error.code, 'FORGE_EXECUTOR_UNAVAILABLE');
    await othersStillServe();
  });

  it('refuses a pack whose executor id is taken, naming both packs and where they are', async () => {
    const duplicate = pack('forge-test-duplicate-id');
    assert.equal(duplicate.status, 'failed');
    assert.equal(duplicate.error!.code, 'FORGE_PLUGIN_DUPLICATE_ID');
    assert.match(duplicate.error!.message, /"script" is contributed by both @forge-core\/executor-script \(.*plugins\/executor-script\) and forge-test-duplicate-id \(.*duplicate-id\)/);
    await othersStillServe();
  });

  it('fails an attempt whose run() is a plain async function that throws, without a crash', async () => {
    const attempt = await run('async-throws');
    assert.equal(attempt.state, 'failed');
    assert.equal(attempt.error.code, 'FORGE_PLUGIN_HOOK_FAILED');
    assert.match(attempt.error.message, /async-throws\.run\(\) failed: cli not configured/);
    await othersStillServe();
  });

  it('accepts a run() that is a plain async function returning its stream', async () => {
    const attempt = await run('async-returns-stream');
    assert.equal(attempt.state, 'succeeded', JSON.stringify(attempt.error));
  });

  it('fails an attempt whose iterator answers next() with something that is no iterator result', async () => {
    const attempt = await run('bad-iterator');
    assert.equal(attempt.state, 'failed');
    assert.equal(attempt.error.code, 'FORGE_PLUGIN_HOOK_FAILED');
    assert.match(attempt.error.message, /next\(\) resolved to number 42/);
    const processes = (await server.request('GET', `/attempts/${attempt.id}/processes`)).body.items;
    assert.ok(processes.every((p: any) => p.status !== 'running'), 'no process row is left running');
  });

  it('fails an attempt whose tool call input is not JSON, keeping the events before it', async () => {
    const attempt = await run('unserializable-input');
    assert.equal(attempt.state, 'failed');
    assert.equal(attempt.error.code, 'FORGE_PLUGIN_EVENT_INVALID');
    assert.match(attempt.error.message, /tool_call event: at input: must be plain JSON data/);
    const logs = (await server.request('GET', `/attempts/${attempt.id}/logs`)).body.items;
    assert.ok(logs.some((e: any) => e.kind === 'message' && e.payload.text === 'calling a tool'), 'the valid event before it was stored');
  });

  it('lists every pack with its status and error over GET /plugins', async () => {
    const { status, body } = await server.request('GET', '/plugins');
    assert.equal(status, 200);
    assert.equal(body.restartRequired, false);
    const byName = new Map(body.items.map((p: any) => [p.name, p]));
    const expected: Record<string, string> = {
      '@forge-core/executor-script': 'loaded',
      '@forge-core/executor-fake-agent': 'loaded',
      'forge-test-misbehaving': 'loaded',
      'forge-test-bad-manifest': 'failed',
      'forge-test-future-sdk': 'failed',
      'forge-test-throws-on-import': 'failed',
      'forge-test-hangs-in-detect': 'unavailable',
      'forge-test-duplicate-id': 'failed',
    };
    for (const [name, packStatus] of Object.entries(expected)) assert.equal((byName.get(name) as any)?.status, packStatus, name);
    assert.deepEqual((byName.get('forge-test-misbehaving') as any).executors.length, 10);
    assert.equal((byName.get('@forge-core/executor-script') as any).source, 'workspace');
    assert.equal((byName.get('forge-test-throws-on-import') as any).source, 'local');
  });
});
