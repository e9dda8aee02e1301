import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentAttempts, fakeCliRecords } from './support/agent-attempts.ts';
import { tempDir } from './support/temp-dir.ts';
import { startServerWithProject, type ServerWithProject } from './support/test-server.ts';

/**
 * The claude-code, codex and custom executors end to end: a fake executable with the real CLI's
 * name on PATH speaks its protocol (approval requests and resume included), an attempt runs it in
 * a worktree through the real server, approvals are answered over the API, the change is
 * committed and a follow-up resumes the session. The user's own agent configuration, under a
 * temporary HOME, must be byte for byte the same afterwards.
 */

const fakeCli = (pack: string) => fileURLToPath(new URL(`../../plugins/executor-${pack}/test/fake-cli`, import.meta.url));
const CUSTOM_PROFILE = JSON.parse(readFileSync(new URL('../../plugins/executor-custom/test/fixtures/profile.json', import.meta.url), 'utf8'));
const PASS_FAKE_ENV = { passEnv: ['FAKE_AGENT_RECORD', 'FAKE_AGENT_SCENARIO'] };
const MCP_SERVER = { name: 'forge-tools', transport: 'stdio', command: 'forge-tools-mcp', args: ['--stdio'], env: { TOOLS_TOKEN: 'tools-token-5b1e77' } };

/** What a user's own agent configuration holds, which no run may change. */
const HOME_FILES: Record<string, string> = {
  '.claude.json': '{"mcpServers":{"mine":{"command":"my-own-server"}},"numStartups":3}\n',
  '.claude/settings.json': '{"permissions":{"allow":["Bash(ls)"]}}\n',
  '.codex/config.toml': '[mcp_servers.mine]\ncommand = "my-own-server"\n',
};

interface Agent {
  executor: string;
  /** The start request's executor part. */
  start: Record<string, unknown>;
  /** Whether the CLI asks before its edit. */
  asks: boolean;
}

const AGENTS: Agent[] = [
  { executor: 'claude-code', start: { executor: 'claude-code', options: { permissionMode: 'default' } }, asks: true },
  { executor: 'codex', start: { executor: 'codex', options: { approvalPolicy: 'untrusted', sandbox: 'workspace-write' } }, asks: true },
  { executor: 'custom', start: { profile: 'fake-custom' }, asks: false },
];

describe('real agents end to end: claude-code, codex and custom with fake CLIs on PATH', function () {
  this.timeout(90_000);
  let dirs: ReturnType<typeof tempDir>;
  let setup: ServerWithProject | undefined;
  let recordFile: string;
  const saved = { PATH: process.env['PATH'], HOME: process.env['HOME'], FAKE_AGENT_RECORD: process.env['FAKE_AGENT_RECORD'], FAKE_AGENT_SCENARIO: process.env['FAKE_AGENT_SCENARIO'] };

  const home = () => join(dirs.path, 'home');
  const start = async (options: { scenario?: string; env?: Record<string, string>; onPath?: boolean } = {}) => {
    process.env['PATH'] = options.onPath === false ? saved.PATH : [fakeCli('claude-code'), fakeCli('codex'), fakeCli('custom'), saved.PATH].join(delimiter);
    process.env['FAKE_AGENT_SCENARIO'] = options.scenario ?? 'success';
    setup = await startServerWithProject({
      env: options.env ?? {},
      configFile: { executors: { 'claude-code': PASS_FAKE_ENV, codex: PASS_FAKE_ENV }, mcpServers: [MCP_SERVER] },
    });
    const profile = await setup.server.request('PUT', '/executor-profiles/fake-custom', CUSTOM_PROFILE);
    assert.equal(profile.status, options.onPath === false ? 200 : 200, JSON.stringify(profile.body));
    return setup;
  };
  const records = () => fakeCliRecords(recordFile);
  const attempts = agentAttempts(() => setup);
  const { pendingApproval, branchFiles } = attempts;
  const startAttempt = (agent: Agent) => attempts.startAttempt(agent.start, `edit with ${agent.executor}`);

  beforeEach(() => {
    dirs = tempDir('forge-real-agents-');
    for (const [file, text] of Object.entries(HOME_FILES)) {
      mkdirSync(join(home(), file, '..'), { recursive: true });
      writeFileSync(join(home(), file), text);
    }
    recordFile = join(dirs.path, 'record.jsonl');
    writeFileSync(recordFile, '');
    process.env['HOME'] = home();
    process.env['FAKE_AGENT_RECORD'] = recordFile;
  });

  afterEach(async () => {
    await setup?.close();
    setup = undefined;
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    // No run may touch the user's own agent configuration.
    for (const [file, text] of Object.entries(HOME_FILES)) assert.equal(readFileSync(join(home(), file), 'utf8'), text, `~/${file} changed`);
    dirs.cleanup();
  });

  for (const agent of AGENTS) {
    describe(agent.executor, () => {
      it(`runs in a worktree${agent.asks ? ', its approval answered through the API,' : ''} commits the change, and a follow-up resumes the session`, async () => {
        await start();
        const executors = (await setup!.server.request('GET', '/executors')).body.items;
        const listed = executors.find((e: any) => e.id === agent.executor);
        assert.equal(listed.available, true, listed.reason);
        const attemptId = await startAttempt(agent);
        if (agent.asks) {
          const approval = await pendingApproval(attemptId);
          assert.equal((await setup!.server.request('POST', `/approvals/${approval.id}`, { decision: 'approve', attemptId })).status, 200);
        }
        const done = await setup!.server.waitForAttempt(attemptId);
        assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
        assert.ok((await branchFiles(attemptId)).includes('FAKE_EDIT.md'), 'the agent’s edit was committed');
        assert.ok(done.agentSessionId, 'the run reported its session');

        const [first] = records();
        assert.equal(first.cwd, done.worktreePath);
        assert.match(JSON.stringify(first.mcp), /forge-tools-mcp/, 'the CLI was given the run’s MCP server');
        assert.equal(first.resumed, null);

        const followUp = await setup!.server.request('POST', `/attempts/${attemptId}/follow-up`, { prompt: 'and once more' });
        assert.equal(followUp.status, 202, JSON.stringify(followUp.body));
        if (agent.asks) await setup!.server.request('POST', `/approvals/${(await pendingApproval(attemptId)).id}`, { decision: 'approve' });
        assert.equal((await setup!.server.waitForAttempt(attemptId)).state, 'succeeded');
        assert.equal(records()[1].resumed, done.agentSessionId, 'the follow-up resumed the session the first run reported');
        const log = JSON.stringify((await setup!.server.request('GET', `/attempts/${attemptId}/logs?limit=1000`)).body.items);
        assert.ok(!log.includes('tools-token-5b1e77'), 'the MCP server’s token stays out of the log');
      });

      if (agent.asks) {
        it('a denial keeps the edit out, and an approval nobody answers expires as a denial', async () => {
          await start({ env: { FORGE_APPROVAL_TIMEOUT_MS: '1500' } });
          const denied = await startAttempt(agent);
          await setup!.server.request('POST', `/approvals/${(await pendingApproval(denied)).id}`, { decision: 'deny', reason: 'not now' });
          const deniedDone = await setup!.server.waitForAttempt(denied);
          assert.notEqual(deniedDone.state, 'running');
          assert.ok(!(await branchFiles(denied)).includes('FAKE_EDIT.md'), 'the denied edit is not there');

          const ignored = await startAttempt(agent);
          await setup!.server.waitForAttempt(ignored);
          const [approval] = (await setup!.server.request('GET', `/approvals?attemptId=${ignored}`)).body.items;
          assert.deepEqual([approval.state, approval.decidedBy], ['expired', 'timeout']);
          assert.ok(!(await branchFiles(ignored)).includes('FAKE_EDIT.md'), 'the expired approval let nothing through');
        });
      }

      it('a CLI that prints garbage among its output still ends, with the garbage logged', async () => {
        await start({ scenario: 'garbage' });
        const attemptId = await startAttempt(agent);
        if (agent.asks) await setup!.server.request('POST', `/approvals/${(await pendingApproval(attemptId)).id}`, { decision: 'approve' });
        const done = await setup!.server.waitForAttempt(attemptId);
        assert.ok(['succeeded', 'failed'].includes(done.state));
        const warnings = (await setup!.server.request('GET', `/attempts/${attemptId}/logs?limit=1000`)).body.items.filter(
          (e: any) => e.kind === 'log' && ['warn', 'debug', 'info'].includes(e.payload.level) && /not JSON|garbage|not a JSON/i.test(e.payload.text),
        );
        assert.ok(warnings.length > 0, 'the garbage lines are in the log');
      });
    });
  }

  it('a logged-out claude or codex fails its attempt with FORGE_AGENT_AUTH_REQUIRED', async () => {
    await start({ scenario: 'auth' });
    for (const agent of AGENTS.filter((a) => a.executor !== 'custom')) {
      const attempt = await setup!.server.waitForAttempt(await startAttempt(agent));
      assert.deepEqual([attempt.state, attempt.error?.code], ['failed', 'FORGE_AGENT_AUTH_REQUIRED'], agent.executor);
    }
  });

  it('a rate-limited claude or codex waits queued with FORGE_AGENT_RATE_LIMITED and its retry time, instead of failing', async () => {
    await start({ scenario: 'rate_limit' });
    for (const agent of AGENTS.filter((a) => a.executor !== 'custom')) {
      const attemptId = await startAttempt(agent);
      const attempt = await setup!.server.waitFor(async () => {
        const pending = (await setup!.server.request('GET', `/approvals?state=pending&attemptId=${attemptId}`)).body.items[0];
        if (pending) await setup!.server.request('POST', `/approvals/${pending.id}`, { decision: 'approve' });
        const current = (await setup!.server.request('GET', `/attempts/${attemptId}`)).body;
        return current.retries === 1 ? current : undefined;
      });
      assert.deepEqual([attempt.state, attempt.error?.code], ['queued', 'FORGE_AGENT_RATE_LIMITED'], agent.executor);
      assert.ok(Date.parse(attempt.error.retryAt) > Date.now(), `${agent.executor} waits until ${attempt.error.retryAt}`);
      const stopped = await setup!.server.request('POST', `/attempts/${attemptId}/stop`);
      assert.deepEqual([stopped.status, stopped.body.state, stopped.body.error], [200, 'cancelled', null], 'a waiting attempt stops like any queued one, and waits for nothing');
    }
  });

  it('a CLI that is not installed is unavailable with what to install, and starting it is a 422', async () => {
    await start({ onPath: false });
    const executors = (await setup!.server.request('GET', '/executors')).body.items;
    for (const id of ['claude-code', 'codex']) {
      const executor = executors.find((e: any) => e.id === id);
      assert.equal(executor.available, false);
      assert.match(executor.reason, /install|npm/i, executor.reason);
      const { projectId, server } = setup!;
      const task = (await server.request('POST', '/tasks', { projectId, title: 'no cli' })).body;
      const refused = await server.request('POST', `/tasks/${task.id}/attempts`, { executor: id });
      assert.deepEqual([refused.status, refused.body.error.code], [422, 'FORGE_EXECUTOR_UNAVAILABLE']);
    }
  });
});
