import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { git, makeRepo } from './support/git-repo.ts';
import { freePort, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { readSse, type SseEvent } from './support/sse-client.ts';
import { tempDir } from './support/temp-dir.ts';
import { startServerWithProject, type ServerWithProject } from './support/test-server.ts';

const PACK_DIR = fileURLToPath(new URL('./fixtures/packs/asks-approval', import.meta.url));
const MCP_TOKEN = 'mcp-header-token-3f9a1c';

describe('approvals: an agent asks, the API answers', function () {
  this.timeout(60_000);
  let setup: ServerWithProject;

  const start = (env: Record<string, string> = {}, configFile: Record<string, unknown> = {}) =>
    startServerWithProject({
      env: { FORGE_PLUGIN_PATHS: PACK_DIR, ...env },
      configFile: {
        mcpServers: [
          { name: 'forge', transport: 'stdio', command: 'forge-mcp', args: ['--stdio'] },
          { name: 'remote', transport: 'http', url: 'http://127.0.0.1:9/mcp', headers: { Authorization: `Bearer ${MCP_TOKEN}` } },
        ],
        ...configFile,
      },
    });

  afterEach(async () => setup?.close());

  const startAttempt = async (options: Record<string, unknown> = {}) => {
    const { server, projectId } = setup;
    const task = (await server.request('POST', '/tasks', { projectId, title: 'ask first' })).body;
    const started = await server.request('POST', `/tasks/${task.id}/attempts`, { executor: 'asks-approval', options });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    return started.body.id as string;
  };
  const pending = (attemptId: string) =>
    setup.server.waitFor(async () => (await setup.server.request('GET', `/approvals?state=pending&attemptId=${attemptId}`)).body.items[0]);
  const logEntries = async (attemptId: string) => (await setup.server.request('GET', `/attempts/${attemptId}/logs?limit=1000`)).body.items;
  const filesOnBranch = async (attemptId: string) => {
    const attempt = (await setup.server.request('GET', `/attempts/${attemptId}`)).body;
    return git(setup.repo, 'ls-tree', '--name-only', attempt.branch).split('\n');
  };

  it('records a pending approval, shows it in the log and the event log, and an approval lets the agent go on', async () => {
    setup = await start();
    const attemptId = await startAttempt();
    const approval = await pending(attemptId);
    assert.equal(approval.tool, 'Write');
    assert.deepEqual(approval.input, { path: 'APPROVED.md' });
    assert.equal(approval.callId, 'call-0');
    assert.deepEqual(approval.choices.map((c: any) => c.kind), ['allow_once', 'allow_always', 'reject_once']);
    assert.equal((await setup.server.request('GET', `/approvals/${approval.id}`)).body.state, 'pending');

    const answered = await setup.server.request('POST', `/approvals/${approval.id}`, { decision: 'approve', attemptId });
    assert.equal(answered.status, 200, JSON.stringify(answered.body));
    assert.equal(answered.body.state, 'approved');
    assert.equal(answered.body.decidedBy, 'user');
    assert.equal((await setup.server.waitForAttempt(attemptId)).state, 'succeeded');
    assert.ok((await filesOnBranch(attemptId)).includes('APPROVED.md'), 'the approved write was committed');

    const entries = await logEntries(attemptId);
    const request = entries.find((e: any) => e.kind === 'approval_request');
    assert.equal(request.payload.requestId, approval.id);
    const result = entries.find((e: any) => e.kind === 'approval_result');
    assert.deepEqual([result.payload.state, result.payload.by], ['approved', 'user']);
    const decision = entries.find((e: any) => e.kind === 'log' && e.payload.text.startsWith('decision '));
    assert.deepEqual(JSON.parse(decision.payload.text.slice('decision '.length)), { outcome: 'approved', scope: 'once', by: 'user', choiceId: 'yes' });

    const ofApproval = (events: SseEvent[]) => events.filter((e) => e.data?.subject === approval.id);
    const events = await readSse(`${setup.server.url}/api/v1/events`, { lastEventId: '0', until: (seen) => ofApproval(seen).length >= 2 });
    assert.deepEqual(ofApproval(events).map((e) => [e.event, e.data.data.state]), [['approval.requested', 'pending'], ['approval.decided', 'approved']]);
  });

  it('a denial keeps the agent from the change and gives it the reason; answering again is a 409 that says how it ended', async () => {
    setup = await start();
    const attemptId = await startAttempt();
    const approval = await pending(attemptId);
    const denied = await setup.server.request('POST', `/approvals/${approval.id}`, { decision: 'deny', reason: 'not that file' });
    assert.equal(denied.body.state, 'denied');
    assert.equal((await setup.server.waitForAttempt(attemptId)).state, 'succeeded');
    assert.ok(!(await filesOnBranch(attemptId)).includes('APPROVED.md'));
    const toolResult = (await logEntries(attemptId)).find((e: any) => e.kind === 'tool_result');
    assert.deepEqual([toolResult.payload.isError, toolResult.payload.output], [true, 'not that file']);

    const again = await setup.server.request('POST', `/approvals/${approval.id}`, { decision: 'approve' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'FORGE_INVALID_TRANSITION');
    assert.match(again.body.error.message, /is denied; .*It was denied already/);
    assert.equal(again.body.error.details.state, 'denied');
  });

  it('an approval nobody answers expires as a denial, and answering it then is a 409 naming the timeout', async () => {
    setup = await start({ FORGE_APPROVAL_TIMEOUT_MS: '300' });
    const attemptId = await startAttempt();
    const attempt = await setup.server.waitForAttempt(attemptId);
    assert.equal(attempt.state, 'succeeded');
    assert.ok(!(await filesOnBranch(attemptId)).includes('APPROVED.md'));
    const [approval] = (await setup.server.request('GET', `/approvals?attemptId=${attemptId}`)).body.items;
    assert.deepEqual([approval.state, approval.decidedBy], ['expired', 'timeout']);
    const late = await setup.server.request('POST', `/approvals/${approval.id}`, { decision: 'approve' });
    assert.equal(late.status, 409);
    assert.match(late.body.error.message, /Nobody answered it before/);
  });

  it('masks the run\'s secrets in what an approval stores and shows', async () => {
    setup = await start();
    const secret = 'sk-approval-secret-6c2e91';
    const attemptId = await startAttempt({ token: secret, writes: [`notes-${secret}.md`] });
    const approval = await pending(attemptId);
    assert.deepEqual(approval.input, { path: 'notes-[redacted].md' });
    assert.equal(approval.summary, 'write notes-[redacted].md');
    await setup.server.request('POST', `/approvals/${approval.id}`, { decision: 'deny' });
    await setup.server.waitForAttempt(attemptId);
  });

  it('"always" decides the same tool for the rest of the attempt without asking again', async () => {
    setup = await start();
    const attemptId = await startAttempt({ writes: ['A.md', 'B.md'] });
    const first = await pending(attemptId);
    await setup.server.request('POST', `/approvals/${first.id}`, { decision: 'approve', scope: 'always' });
    assert.equal((await setup.server.waitForAttempt(attemptId)).state, 'succeeded');
    const files = await filesOnBranch(attemptId);
    assert.ok(files.includes('A.md') && files.includes('B.md'));
    const all = (await setup.server.request('GET', `/approvals?attemptId=${attemptId}`)).body.items;
    assert.deepEqual(all.map((a: any) => [a.state, a.decidedBy, a.scope]), [['approved', 'user', 'always'], ['approved', 'rule', 'always']]);
    const decisions = (await logEntries(attemptId)).filter((e: any) => e.kind === 'log' && e.payload.text.startsWith('decision '));
    assert.equal(JSON.parse(decisions[1].payload.text.slice('decision '.length)).choiceId, 'always');
  });

  it('refuses an approval id of another attempt, an unknown one and a bad answer with clear 4xx', async () => {
    setup = await start();
    const attemptId = await startAttempt();
    const other = await startAttempt();
    const approval = await pending(attemptId);
    const wrongAttempt = await setup.server.request('POST', `/approvals/${approval.id}`, { decision: 'approve', attemptId: other });
    assert.equal(wrongAttempt.status, 404);
    assert.match(wrongAttempt.body.error.message, /is not an approval of attempt/);
    const unknown = await setup.server.request('POST', '/approvals/01900000-0000-7000-8000-000000000000', { decision: 'approve' });
    assert.equal(unknown.status, 404);
    const bad = await setup.server.request('POST', `/approvals/${approval.id}`, { decision: 'maybe' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /"decision" must be one of \[approve, deny\]/);
    const badState = await setup.server.request('GET', '/approvals?state=waiting');
    assert.equal(badState.status, 400);
    assert.equal((await setup.server.request('GET', `/approvals/${approval.id}`)).body.state, 'pending', 'nothing was decided by the bad requests');
    for (const id of [attemptId, other]) await setup.server.request('POST', `/attempts/${id}/stop`);
  });

  it('stopping the attempt cancels its pending approval, and the attempt ends cancelled', async () => {
    setup = await start();
    const attemptId = await startAttempt();
    const approval = await pending(attemptId);
    assert.equal((await setup.server.request('POST', `/attempts/${attemptId}/stop`)).status, 200);
    assert.equal((await setup.server.waitForAttempt(attemptId)).state, 'cancelled');
    const after = (await setup.server.request('GET', `/approvals/${approval.id}`)).body;
    assert.deepEqual([after.state, after.decidedBy], ['cancelled', 'cancelled']);
  });

  it('gives the run a private scratch folder with its MCP servers, removed after the run, and keeps MCP credentials out of the log', async () => {
    setup = await start({}, { executors: { 'asks-approval': { greeting: 'hi' } } });
    const attemptId = await startAttempt();
    await setup.server.request('POST', `/approvals/${(await pending(attemptId)).id}`, { decision: 'approve' });
    await setup.server.waitForAttempt(attemptId);
    const scratchLine = (await logEntries(attemptId)).find((e: any) => e.kind === 'log' && e.payload.text.startsWith('scratch '));
    const [, scratchDir, , greeting] = scratchLine.payload.text.split(' ');
    assert.equal(greeting, 'hi', 'the run got its settings from the configuration');
    assert.ok(scratchDir.startsWith(join(setup.server.home, 'run')), scratchDir);
    assert.equal(existsSync(scratchDir), false, 'the scratch folder is gone after the run');
    assert.deepEqual(readdirSync(join(setup.server.home, 'run')), []);
    const executors = (await setup.server.request('GET', '/executors')).body.items;
    assert.equal(executors.find((e: any) => e.id === 'asks-approval').detectedVersion, 'hi', 'detect got the settings too');
    const mcpLine = (await logEntries(attemptId)).find((e: any) => e.kind === 'log' && e.payload.text.startsWith('mcp '));
    assert.match(mcpLine.payload.text, /"command":"forge-mcp".*"Authorization":"\[redacted\]"/, 'the run was given both servers, the header masked in the log');
    assert.ok(!JSON.stringify(await logEntries(attemptId)).includes(MCP_TOKEN));
  });

  it('after a crash, a pending approval is cancelled and its attempt ends failed, not stuck', async function () {
    const home = tempDir('forge-approval-crash-');
    const port = await freePort();
    const repo = makeRepo(join(home.path, 'repo'));
    let crashed: ServerProcess | undefined;
    try {
      crashed = await startServerProcess(join(home.path, 'home'), port, { FORGE_PLUGIN_PATHS: PACK_DIR });
      const api = `${crashed.url}/api/v1`;
      const post = async (path: string, body: unknown) =>
        (await fetch(api + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<any>;
      const project = await post('/projects', { name: 'crash', repoPath: repo });
      const task = await post('/tasks', { projectId: project.id, title: 'ask, then crash' });
      const attempt = await post(`/tasks/${task.id}/attempts`, { executor: 'asks-approval' });
      for (;;) {
        const page = (await (await fetch(`${api}/approvals?state=pending`)).json()) as any;
        if (page.items.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      crashed.child.kill('SIGKILL');
      await crashed.exited;
      setup = await startServerWithProject({ env: { FORGE_HOME: join(home.path, 'home'), FORGE_PLUGIN_PATHS: PACK_DIR } });
      const after = await setup.server.waitFor(async () => {
        const [approval] = (await setup.server.request('GET', `/approvals?attemptId=${attempt.id}`)).body.items;
        return approval.state === 'pending' ? undefined : approval;
      });
      assert.deepEqual([after.state, after.decidedBy], ['cancelled', 'cancelled']);
      const ended = await setup.server.waitForAttempt(attempt.id);
      assert.deepEqual([ended.state, ended.error.code], ['failed', 'FORGE_ATTEMPT_INTERRUPTED']);
      await setup.server.waitFor(async () => !existsSync(join(home.path, 'home', 'run', attempt.id)));
    } finally {
      if (crashed && crashed.child.exitCode === null) crashed.child.kill('SIGKILL');
      home.cleanup();
    }
  });

  it('a run that fails with auth fails the attempt with FORGE_AGENT_AUTH_REQUIRED', async () => {
    setup = await start();
    const attempt = await setup.server.waitForAttempt(await startAttempt({ failure: 'auth', writes: [] }));
    assert.deepEqual([attempt.state, attempt.error.code, attempt.error.retryAt], ['failed', 'FORGE_AGENT_AUTH_REQUIRED', undefined]);
  });

  for (const [failure, code, waitMs] of [
    // The agent's own retry-after, plus at most a fifth of jitter.
    ['rate_limit', 'FORGE_AGENT_RATE_LIMITED', 60_000],
    // No retry-after: the first backoff, FORGE_AGENT_RETRY_BASE_MS (30 s by default).
    ['quota', 'FORGE_AGENT_QUOTA_EXCEEDED', 30_000],
  ] as const) {
    it(`a run that fails with ${failure} waits queued with ${code} until its retry time (decision 0031)`, async () => {
      setup = await start();
      const before = Date.now();
      const attemptId = await startAttempt({ failure, writes: [], ...(failure === 'rate_limit' ? { retryAfterMs: waitMs } : {}) });
      const attempt = await setup.server.waitFor(async () => {
        const current = (await setup.server.request('GET', `/attempts/${attemptId}`)).body;
        return current.retries === 1 ? current : undefined;
      });
      assert.deepEqual([attempt.state, attempt.error.code], ['queued', code]);
      const retryIn = Date.parse(attempt.error.retryAt) - before;
      assert.ok(retryIn >= waitMs && retryIn < waitMs * 1.2 + 10_000, attempt.error.retryAt);
    });
  }

  it('refuses to load an executor whose settings do not match its descriptors, saying which', async () => {
    setup = await start({}, { executors: { 'asks-approval': { greeting: 'far too long a greeting for this' } } });
    const packs = (await setup.server.request('GET', '/plugins')).body.items;
    const pack = packs.find((p: any) => p.name === 'fixture-asks-approval');
    assert.equal(pack.status, 'failed');
    assert.equal(pack.error.code, 'FORGE_PLUGIN_CONFIG_INVALID');
    assert.match(pack.error.message, /executors\.asks-approval.*greeting/);
  });
});
