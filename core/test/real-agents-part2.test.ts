import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentAttempts, fakeCliRecords } from './support/agent-attempts.ts';
import { tempDir } from './support/temp-dir.ts';
import { startServerWithProject, type ServerWithProject } from './support/test-server.ts';

/**
 * The agents of part 2 end to end: gemini, qwen-code, copilot and opencode over ACP, cursor-agent
 * and amp on their stream formats, and the generic acp executor through a profile. A fake
 * executable with each real CLI's name on PATH speaks its protocol; an attempt runs it in a
 * worktree through the real server, approvals are answered over the API, the change is
 * committed and a follow-up continues the session.
 */

const fakeCliDir = (pack: string) => fileURLToPath(new URL(`../../plugins/executor-${pack}/test/fake-cli`, import.meta.url));
const PACKS = ['gemini', 'qwen-code', 'copilot', 'opencode', 'cursor-agent', 'amp', 'acp'];
const PASS_FAKE_ENV = { passEnv: ['FAKE_AGENT_RECORD', 'FAKE_AGENT_SCENARIO'] };
const MCP_SERVER = { name: 'forge-tools', transport: 'stdio', command: 'forge-tools-mcp', args: ['--stdio'], env: { TOOLS_TOKEN: 'tools-token-9c4d21' } };
const ACP_PROFILE = { executor: 'acp', description: 'The fake ACP agent, as a user would name goose or kiro', options: { command: 'acp-agent' } };

interface Agent {
  executor: string;
  start: Record<string, unknown>;
  /** Whether the CLI asks before its edit. */
  asks: boolean;
}

const AGENTS: Agent[] = [
  { executor: 'gemini', start: { executor: 'gemini' }, asks: true },
  { executor: 'qwen-code', start: { executor: 'qwen-code' }, asks: true },
  { executor: 'copilot', start: { executor: 'copilot' }, asks: true },
  { executor: 'opencode', start: { executor: 'opencode' }, asks: true },
  { executor: 'cursor-agent', start: { executor: 'cursor-agent' }, asks: false },
  { executor: 'amp', start: { executor: 'amp' }, asks: false },
  { executor: 'acp', start: { profile: 'fake-acp' }, asks: true },
];

describe('real agents, part 2, end to end: ACP packs, cursor-agent, amp and any ACP agent, with fake CLIs on PATH', function () {
  this.timeout(90_000);
  let dirs: ReturnType<typeof tempDir>;
  let setup: ServerWithProject | undefined;
  let recordFile: string;
  const saved = { PATH: process.env['PATH'], HOME: process.env['HOME'], FAKE_AGENT_RECORD: process.env['FAKE_AGENT_RECORD'], FAKE_AGENT_SCENARIO: process.env['FAKE_AGENT_SCENARIO'] };

  const start = async (options: { scenario?: string; env?: Record<string, string> } = {}) => {
    process.env['PATH'] = [...PACKS.map(fakeCliDir), saved.PATH].join(delimiter);
    process.env['FAKE_AGENT_SCENARIO'] = options.scenario ?? 'success';
    setup = await startServerWithProject({
      env: options.env ?? {},
      configFile: { executors: Object.fromEntries(PACKS.map((id) => [id, PASS_FAKE_ENV])), mcpServers: [MCP_SERVER] },
    });
    const profile = await setup.server.request('PUT', '/executor-profiles/fake-acp', ACP_PROFILE);
    assert.equal(profile.status, 200, JSON.stringify(profile.body));
    return setup;
  };
  const records = () => fakeCliRecords(recordFile);
  const attempts = agentAttempts(() => setup);
  const { pendingApproval, branchFiles, logOf } = attempts;
  const startAttempt = (agent: Agent, title = `edit with ${agent.executor}`) => attempts.startAttempt(agent.start, title);

  beforeEach(() => {
    dirs = tempDir('forge-real-agents-2-');
    mkdirSync(join(dirs.path, 'home'));
    recordFile = join(dirs.path, 'record.jsonl');
    writeFileSync(recordFile, '');
    process.env['HOME'] = join(dirs.path, 'home');
    process.env['FAKE_AGENT_RECORD'] = recordFile;
  });

  afterEach(async () => {
    await setup?.close();
    setup = undefined;
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    dirs.cleanup();
  });

  for (const agent of AGENTS) {
    it(`${agent.executor}: runs in a worktree${agent.asks ? ', its approval answered through the API,' : ''} commits the change, and a follow-up continues the session`, async () => {
      await start();
      const listed = (await setup!.server.request('GET', '/executors')).body.items.find((e: any) => e.id === agent.executor);
      assert.equal(listed?.available, true, listed?.reason ?? `${agent.executor} is not listed`);
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
      assert.equal(first.resumed, null);

      const followUp = await setup!.server.request('POST', `/attempts/${attemptId}/follow-up`, { prompt: 'and once more' });
      assert.equal(followUp.status, 202, JSON.stringify(followUp.body));
      if (agent.asks) await setup!.server.request('POST', `/approvals/${(await pendingApproval(attemptId)).id}`, { decision: 'approve' });
      assert.equal((await setup!.server.waitForAttempt(attemptId)).state, 'succeeded');
      assert.equal(records()[1].resumed, done.agentSessionId, 'the follow-up continued the session the first run reported');
      assert.ok(!JSON.stringify(await logOf(attemptId)).includes('tools-token-9c4d21'), 'the MCP server’s token stays out of the log');
    });
  }

  it('an ACP agent gets the run’s MCP servers in session/new; a denial through the API keeps its edit out', async () => {
    await start();
    const acpAgent = AGENTS.find((a) => a.executor === 'acp')!;
    const attemptId = await startAttempt(acpAgent);
    await setup!.server.request('POST', `/approvals/${(await pendingApproval(attemptId)).id}`, { decision: 'deny', reason: 'not in this task' });
    const done = await setup!.server.waitForAttempt(attemptId);
    assert.equal(done.state, 'succeeded');
    assert.ok(!(await branchFiles(attemptId)).includes('FAKE_EDIT.md'), 'the denied edit is not there');
    assert.deepEqual(records()[0].mcp, [
      // Forge Core's own server comes first, naming the attempt, so the agent can make subtasks of its task.
      { name: 'forge-core', type: 'http', url: `${setup!.server.url}/mcp?attempt=${attemptId}`, headers: [] },
      { name: 'forge-tools', command: 'forge-tools-mcp', args: ['--stdio'], env: [{ name: 'TOOLS_TOKEN', value: 'tools-token-9c4d21' }] },
    ]);
  });

  it('an ACP agent that reads or writes outside its worktree is refused, and the attempt goes on', async () => {
    await start();
    const attemptId = await startAttempt(AGENTS.find((a) => a.executor === 'acp')!, 'look outside first');
    await setup!.server.request('POST', `/approvals/${(await pendingApproval(attemptId)).id}`, { decision: 'approve' });
    const done = await setup!.server.waitForAttempt(attemptId);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    const refusals = (await logOf(attemptId)).filter((e) => e.kind === 'log' && /^Refused the agent's file request/.test(e.payload.text));
    assert.equal(refusals.length, 2, 'the read of /etc/hostname and the write of ../outside.txt');
    assert.equal(existsSync(join(done.worktreePath, '..', 'outside.txt')), false);
    assert.ok((await branchFiles(attemptId)).includes('FAKE_EDIT.md'), 'the turn went on to its edit');
  });

  it('stopping an ACP attempt mid-turn cancels it, the agent hearing session/cancel before it is stopped', async () => {
    await start();
    const attemptId = await startAttempt(AGENTS.find((a) => a.executor === 'acp')!, 'go slow');
    // The plan comes first; the answer streams until the stop, merged into one message that is never finished.
    await setup!.server.waitFor(async () => (await logOf(attemptId)).some((e) => e.kind === 'tool_call' && e.payload.tool === 'plan'));
    assert.equal((await setup!.server.request('POST', `/attempts/${attemptId}/stop`)).status, 200);
    const done = await setup!.server.waitForAttempt(attemptId);
    assert.equal(done.state, 'cancelled');
    assert.ok(records().some((record) => record.turnCancelled === done.agentSessionId), 'the agent ended its turn itself');
  });

  it('a logged-out ACP agent fails its attempt with FORGE_AGENT_AUTH_REQUIRED', async () => {
    await start({ scenario: 'auth' });
    for (const agent of AGENTS.filter((a) => ['gemini', 'qwen-code', 'copilot', 'acp'].includes(a.executor))) {
      const attempt = await setup!.server.waitForAttempt(await startAttempt(agent));
      assert.deepEqual([attempt.state, attempt.error?.code], ['failed', 'FORGE_AGENT_AUTH_REQUIRED'], agent.executor);
    }
  });
});
