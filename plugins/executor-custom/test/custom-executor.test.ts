import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ExecutorEvent, StdioMcpServer } from '@forge-core/sdk';
import { collectEvents, eventsOfType, finalDone } from '@forge-core/sdk/testing';
import { customExecutor } from '../src/index.ts';
import type { CustomOptions } from '../src/custom-options.ts';
import { MCP_CONFIG_FILE_NAME } from '../src/mcp-config-file.ts';
import { createHostRun, type HostRun, type HostRunOptions } from './support/host-run-context.ts';
import { profileOptions } from './support/profile-options.ts';

/** The example profile the pack ships for end-to-end tests, which runs test/fake-cli/fake-custom-agent. */
const PROFILE = JSON.parse(readFileSync(new URL('./fixtures/profile.json', import.meta.url), 'utf8')) as { executor: string; options: CustomOptions };
const FAKE_PROFILE = profileOptions(PROFILE.options);

const DOCS_SERVER: StdioMcpServer = { name: 'docs', transport: 'stdio', command: 'docs-mcp', args: ['--stdio'], env: { DOCS_TOKEN: 'abc' } };

interface Recorded {
  argv: string[];
  cwd: string;
  mcp: unknown;
  resumed: string | null;
  stdin: string[];
}

/** Environment variables a test sets on the "server", put back afterwards. */
const ENV_NAMES = ['FAKE_AGENT_RECORD', 'FAKE_AGENT_SCENARIO', 'CUSTOM_PASS_TEST', 'CUSTOM_CONFIG_PASS'];

describe('custom executor running a real CLI', () => {
  let host: HostRun;
  let recordFile: string;
  const savedEnv = new Map<string, string | undefined>();

  async function start(options: HostRunOptions = {}): Promise<HostRun> {
    host = await createHostRun(options);
    recordFile = path.join(host.scratchDir, '..', 'record.jsonl');
    process.env['FAKE_AGENT_RECORD'] = recordFile;
    return host;
  }

  function records(): Recorded[] {
    return readFileSync(recordFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Recorded);
  }

  const run = (prompt: string, options: CustomOptions, onEvent?: (event: ExecutorEvent) => void) =>
    collectEvents(customExecutor.run({ attemptId: 'attempt-1', prompt, options }, host.ctx), onEvent);

  const resume = (prompt: string, options: CustomOptions, sessionId: string) =>
    collectEvents(customExecutor.resume!({ attemptId: 'attempt-1', prompt, options, sessionId }, host.ctx));

  beforeEach(() => {
    for (const name of ENV_NAMES) savedEnv.set(name, process.env[name]);
  });

  afterEach(async () => {
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await host?.cleanup();
  });

  it('runs the example profile: the file edit, session, tool call, usage and summary, with the prompt on stdin and the MCP servers in a file', async () => {
    await start({ mcpServers: [DOCS_SERVER] });
    const events = await run('Document the API\nin docs/api.md', FAKE_PROFILE);

    assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', exitCode: 0, summary: 'Noted "Document the API" in FAKE_EDIT.md' });
    const [session] = eventsOfType(events, 'session');
    assert.match(session?.sessionId ?? '', /^fake-session-/);
    assert.deepEqual(
      eventsOfType(events, 'tool_call').map(({ tool, action, summary }) => ({ tool, action, summary })),
      [{ tool: 'write_file', action: 'file_edit', summary: 'FAKE_EDIT.md' }],
    );
    assert.deepEqual(eventsOfType(events, 'file_change'), [{ type: 'file_change', path: 'FAKE_EDIT.md', change: 'modified' }]);
    assert.deepEqual(eventsOfType(events, 'usage'), [{ type: 'usage', inputTokens: 1200, outputTokens: 85, costUsd: 0.0042 }]);
    assert.match(readFileSync(path.join(host.worktree, 'FAKE_EDIT.md'), 'utf8'), /- Document the API\n$/);

    const mcpFile = path.join(host.scratchDir, MCP_CONFIG_FILE_NAME);
    assert.deepEqual(records(), [
      {
        argv: ['--json', '--mcp-config', mcpFile],
        cwd: host.worktree,
        mcp: { mcpServers: { docs: { type: 'stdio', command: 'docs-mcp', args: ['--stdio'], env: { DOCS_TOKEN: 'abc' } } } },
        resumed: null,
        stdin: ['Document the API', 'in docs/api.md'],
      },
    ]);
  });

  it('continues the session through resumeArgs on a follow-up', async () => {
    await start();
    const first = await run('Start the changelog', FAKE_PROFILE);
    const sessionId = eventsOfType(first, 'session')[0]?.sessionId;
    assert.ok(sessionId);

    const followUp = await resume('Add the 0.2 entry', FAKE_PROFILE, sessionId);

    assert.equal(finalDone(followUp).status, 'succeeded');
    assert.deepEqual(eventsOfType(followUp, 'session'), [{ type: 'session', sessionId }]);
    const [, resumed] = records();
    assert.equal(resumed?.resumed, sessionId);
    assert.deepEqual(resumed?.argv.slice(-2), ['--continue-session', sessionId]);
    assert.match(readFileSync(path.join(host.worktree, 'FAKE_EDIT.md'), 'utf8'), /- Start the changelog\n- Add the 0\.2 entry\n$/);
  });

  it('runs the command afresh on a follow-up when the profile has no resumeArgs, and says the session was not continued', async () => {
    await start();
    const events = await resume('Add the 0.2 entry', { ...FAKE_PROFILE, resumeArgs: undefined }, 'fake-session-earlier');

    assert.equal(finalDone(events).status, 'succeeded');
    assert.ok(eventsOfType(events, 'log').some((log) => log.level === 'warn' && log.text.includes('session fake-session-earlier cannot be continued')));
    assert.notEqual(eventsOfType(events, 'session')[0]?.sessionId, 'fake-session-earlier');
    assert.equal(records()[0]?.resumed, null);
  });

  it('reads text output, with the prompt in an argument and the session found by sessionIdPattern', async () => {
    await start();
    const options = profileOptions({
      command: 'fake-custom-agent',
      args: ['--prompt', '{prompt}'],
      sessionIdPattern: '^Session: (\\S+)$',
      passEnv: ['FAKE_AGENT_RECORD'],
    });
    const events = await run('Rename the helper', options);

    const done = finalDone(events);
    assert.equal(done.status, 'succeeded');
    assert.equal(done.summary, 'Noted "Rename the helper" in FAKE_EDIT.md.');
    assert.match(eventsOfType(events, 'session')[0]?.sessionId ?? '', /^fake-session-/);
    assert.deepEqual(
      eventsOfType(events, 'message').map(({ text }) => text.replace(/fake-session-\S+/, 'ID')),
      ['Session: ID', 'Starting: Rename the helper\ncreated FAKE_EDIT.md', 'Noted "Rename the helper" in FAKE_EDIT.md.'],
    );
    assert.deepEqual(records()[0]?.argv, ['--prompt', 'Rename the helper']);
    assert.deepEqual(records()[0]?.stdin, []);
  });

  it('appends the prompt as the last argument with promptVia argument, leaving placeholders inside the prompt as written', async () => {
    await start();
    const options = profileOptions({ command: 'sh', args: ['-c', 'printf "%s\\n" "$1" "$0"', '{worktree}'], promptVia: 'argument' });
    const events = await run('Mention {worktree} literally', options);

    assert.deepEqual(
      eventsOfType(events, 'message').map(({ text }) => text),
      [`Mention {worktree} literally\n${host.worktree}`],
    );
    assert.equal(finalDone(events).status, 'succeeded');
  });

  it('turns lines that are not JSON into warnings and still succeeds', async () => {
    await start();
    process.env['FAKE_AGENT_SCENARIO'] = 'garbage';
    const events = await run('Tidy up', FAKE_PROFILE);

    assert.equal(finalDone(events).status, 'succeeded');
    const warnings = eventsOfType(events, 'log').filter((log) => log.level === 'warn').map((log) => log.text);
    assert.deepEqual(warnings, [
      'a line that is not JSON: Loading model weights... done',
      'a line that is not JSON: {"type": "tool_result", "call_id": "call-1", "out',
      'a JSON line that is not an object: [1, 2, 3]',
    ]);
    assert.deepEqual(eventsOfType(events, 'file_change'), [{ type: 'file_change', path: 'FAKE_EDIT.md', change: 'modified' }]);
  });

  it('fails with the exit code, the reported error and the last stderr lines when the CLI fails', async () => {
    await start();
    process.env['FAKE_AGENT_SCENARIO'] = 'fail';
    const events = await run('Tidy up', FAKE_PROFILE);

    assert.deepEqual(finalDone(events), {
      type: 'done',
      status: 'failed',
      exitCode: 1,
      summary: 'Starting: Tidy up',
      error: 'fake-custom-agent reported an error: the model endpoint refused the request (HTTP 500); its last stderr lines:\nfake-custom-agent: the model endpoint refused the request',
    });
    assert.equal(existsSync(path.join(host.worktree, 'FAKE_EDIT.md')), false);
  });

  it('ends a run that outlives timeoutMs as failed, saying so, and leaves stopping the agent to the host', async () => {
    await start();
    process.env['FAKE_AGENT_SCENARIO'] = 'hang';
    const events = await run('Tidy up', { ...FAKE_PROFILE, timeoutMs: 300 });

    const done = finalDone(events);
    assert.equal(done.status, 'failed');
    assert.equal(done.summary, 'Starting: Tidy up');
    assert.match(done.error ?? '', /^fake-custom-agent did not finish within timeoutMs \(300 ms\)/);
    assert.equal(eventsOfType(events, 'session').length, 1);
    const [agent] = host.ctx.processes;
    assert.equal(agent?.hasExited, false, 'the run ended while the agent still ran');
    await agent?.stop(500);
    assert.equal((await agent?.exited)?.signal, 'SIGTERM');
  });

  it('ends cancelled, reporting nothing more, when the attempt is stopped while the agent runs', async () => {
    await start();
    process.env['FAKE_AGENT_SCENARIO'] = 'hang';
    const events = await run('Tidy up', FAKE_PROFILE, (event) => {
      if (event.type === 'session') host.ctx.abort();
    });

    assert.deepEqual(
      events.map((event) => event.type),
      ['session', 'done'],
    );
    assert.equal(finalDone(events).status, 'cancelled');
    assert.equal((await host.ctx.processes[0]?.exited)?.signal, 'SIGTERM');
  });

  it("hands the agent the token under tokenEnv and the server's variables that passEnv and the passEnv setting name", async () => {
    await start({ config: { passEnv: ['CUSTOM_CONFIG_PASS'] } });
    process.env['CUSTOM_PASS_TEST'] = 'from-profile';
    process.env['CUSTOM_CONFIG_PASS'] = 'from-settings';
    const options = profileOptions({
      command: 'sh',
      args: ['-c', 'echo "key=$MY_AGENT_KEY pass=$CUSTOM_PASS_TEST config=$CUSTOM_CONFIG_PASS missing=${CUSTOM_NOT_SET:-unset}"'],
      passEnv: ['CUSTOM_PASS_TEST', 'CUSTOM_NOT_SET'],
      token: 's3cret',
      tokenEnv: 'MY_AGENT_KEY',
    });
    const events = await run('anything', options);

    assert.deepEqual(
      eventsOfType(events, 'message').map(({ text }) => text),
      ['key=s3cret pass=from-profile config=from-settings missing=unset'],
    );
    assert.ok(eventsOfType(events, 'log').some((log) => log.level === 'warn' && log.text.includes('has no CUSTOM_NOT_SET')));
  });

  it('fails before starting anything when a token is set without tokenEnv', async () => {
    await start();
    const events = await run('anything', profileOptions({ command: 'sh', token: 's3cret' }));

    assert.equal(events.length, 1);
    assert.equal(finalDone(events).status, 'failed');
    assert.match(finalDone(events).error ?? '', /token is set but tokenEnv is not/);
    assert.equal(host.ctx.spawned.length, 0);
  });

  it('fails with a message saying so when the command cannot start', async () => {
    await start();
    const events = await run('anything', profileOptions({ command: 'no-such-agent-cli' }));

    const done = finalDone(events);
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', /^no-such-agent-cli exited with code 127; its last stderr lines:\nCould not start no-such-agent-cli/);
  });

  it('says when the run has MCP servers that the profile does not hand to the agent', async () => {
    await start({ mcpServers: [DOCS_SERVER] });
    const events = await run('anything', profileOptions({ command: 'true' }));

    assert.equal(finalDone(events).status, 'succeeded');
    assert.ok(eventsOfType(events, 'log').some((log) => log.level === 'info' && log.text.includes('no {mcpConfig}')));
    assert.equal(existsSync(path.join(host.scratchDir, MCP_CONFIG_FILE_NAME)), false);
  });
});
