import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_LOG_TEXT_LENGTH } from '@forge-core/executor-claude-code/stream';
import type { ExecutorEvent } from '@forge-core/sdk';
import { collectEvents, createHostRunContext, eventsOfType, finalDone, makeTempDir, type HostRunContext, type TempDir } from '@forge-core/sdk/testing';
import { fakeAgent } from '../src/index.ts';
import type { FakeAgentOptions } from '../src/fake-agent-options.ts';

const DEFAULT_OPTIONS: FakeAgentOptions = { scenario: 'success', delayMs: 0, ignoreSigterm: false, model: undefined, rateLimitedRuns: undefined, rateLimitResetMs: undefined };

/** Between the SIGTERM and the SIGKILL of a stop: ample for the fake to die of the SIGTERM when it honours it. */
const KILL_GRACE_MS = 1000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('fake-agent executor', () => {
  let root: TempDir;
  let worktree: string;
  let ctx: HostRunContext;

  const runContext = () => createHostRunContext({ worktreePath: worktree, stopGraceMs: KILL_GRACE_MS });

  beforeEach(async () => {
    root = await makeTempDir('fake-agent');
    worktree = path.join(root.path, 'worktree');
    mkdirSync(worktree);
    ctx = runContext();
  });

  afterEach(async () => {
    ctx.abort();
    await root.cleanup();
  });

  function run(prompt: string, options: Partial<FakeAgentOptions> = {}, onEvent?: (event: ExecutorEvent) => void) {
    return collectEvents(fakeAgent.run({ attemptId: 'att_test', prompt, options: { ...DEFAULT_OPTIONS, ...options } }, ctx), onEvent);
  }

  describe('success', () => {
    it('writes the files the write lines name and reports the session first, usage, and success', async () => {
      const events = await run('Add two files.\nwrite notes/hello.txt Hello there\nwrite README.md # Title', { model: 'claude-opus-4-1' });

      assert.equal(readFileSync(path.join(worktree, 'notes/hello.txt'), 'utf8'), 'Hello there\n');
      assert.equal(readFileSync(path.join(worktree, 'README.md'), 'utf8'), '# Title\n');
      const session = events[0];
      assert.ok(session?.type === 'session', `first event: ${JSON.stringify(session)}`);
      assert.match(session.sessionId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(session.model, 'claude-opus-4-1');
      assert.deepEqual(eventsOfType(events, 'file_change'), [
        { type: 'file_change', path: 'notes/hello.txt', change: 'added' },
        { type: 'file_change', path: 'README.md', change: 'added' },
      ]);
      assert.deepEqual(eventsOfType(events, 'tool_call').map((call) => [call.tool, call.action, call.summary]), [
        ['Write', 'file_edit', 'notes/hello.txt'],
        ['Write', 'file_edit', 'README.md'],
        ['Bash', 'command', 'ls'],
      ]);
      assert.equal(eventsOfType(events, 'thinking').length, 1);
      const [usage] = eventsOfType(events, 'usage');
      assert.ok(usage !== undefined && (usage.inputTokens ?? 0) > 0 && (usage.costUsd ?? 0) > 0, JSON.stringify(usage));
      assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', summary: 'Wrote 2 file(s): notes/hello.txt, README.md', exitCode: 0 });
    });

    it('writes the prompt to fake-agent-output.md when no write line names a file', async () => {
      const events = await run('Summarize the repository layout.');
      assert.equal(readFileSync(path.join(worktree, 'fake-agent-output.md'), 'utf8'), 'Summarize the repository layout.');
      assert.equal(finalDone(events).status, 'succeeded');
    });

    it('reports overwriting an existing file as modified', async () => {
      writeFileSync(path.join(worktree, 'a.txt'), 'old\n');
      const events = await run('write a.txt new');
      assert.equal(readFileSync(path.join(worktree, 'a.txt'), 'utf8'), 'new\n');
      assert.deepEqual(eventsOfType(events, 'file_change'), [{ type: 'file_change', path: 'a.txt', change: 'modified' }]);
    });
  });

  describe('paths outside the worktree', () => {
    it('refuses .., absolute paths and symlinks that lead out, and writes nothing outside', async () => {
      symlinkSync(root.path, path.join(worktree, 'link-out'));
      const events = await run(['write ../escape.txt nope', `write ${path.join(root.path, 'absolute.txt')} nope`, 'write link-out/via-link.txt nope', 'write inside.txt fine'].join('\n'));

      assert.deepEqual(readdirSync(root.path).sort(), ['worktree']);
      assert.deepEqual(readdirSync(worktree).sort(), ['inside.txt', 'link-out']);
      const writeResults = eventsOfType(events, 'tool_result').slice(0, 4);
      assert.deepEqual(writeResults.map((result) => result.isError), [true, true, true, false]);
      assert.match(writeResults[0]?.output ?? '', /Refusing to write outside the working directory: \.\.\/escape\.txt/);
      assert.deepEqual(eventsOfType(events, 'file_change'), [{ type: 'file_change', path: 'inside.txt', change: 'added' }]);
      assert.equal(finalDone(events).status, 'succeeded');
    });
  });

  describe('failures', () => {
    it('ends failed with claude\'s reason when the scenario is fail, passing stderr on as warn logs', async () => {
      const events = await run('write a.txt x', { scenario: 'fail' });
      const done = finalDone(events);
      assert.equal(done.status, 'failed');
      assert.equal(done.error, 'claude failed during execution (error_during_execution): simulated failure (FAKE_AGENT_SCENARIO=fail)');
      assert.equal(done.exitCode, 1);
      assert.deepEqual(eventsOfType(events, 'log'), [{ type: 'log', level: 'warn', stream: 'stderr', text: 'Error: simulated failure (FAKE_AGENT_SCENARIO=fail)' }]);
      assert.equal(existsSync(path.join(worktree, 'a.txt')), false);
    });

    it('ends failed with a readable error, quoting its stderr, when claude crashes before its result', async () => {
      const events = await run('anything', { scenario: 'crash' });
      assert.equal(events[0]?.type, 'session');
      const done = finalDone(events);
      assert.deepEqual([done.status, done.error, done.exitCode], [
        'failed',
        'claude exited with code 2 before reporting a result: fake-claude: simulated crash (FAKE_AGENT_SCENARIO=crash)',
        2,
      ]);
    });

    it('survives garbage on stdout, turning it into warn logs, and still succeeds', async () => {
      const events = await run('write kept.txt yes', { scenario: 'garbage' });
      assert.equal(readFileSync(path.join(worktree, 'kept.txt'), 'utf8'), 'yes\n');
      const warnings = eventsOfType(events, 'log').filter((log) => log.level === 'warn' && log.stream === 'stdout');
      assert.equal(warnings.length, 5);
      for (const warning of warnings) assert.ok(warning.text.length <= MAX_LOG_TEXT_LENGTH + 40, `log of ${warning.text.length} characters`);
      assert.deepEqual(finalDone(events), { type: 'done', status: 'succeeded', summary: 'Wrote 1 file(s): kept.txt', exitCode: 0 });
    });
  });

  describe('cancellation', () => {
    async function abortOnceStarted(options: Partial<FakeAgentOptions>) {
      const events = await run('wait forever', { scenario: 'hang', ...options }, (event) => {
        if (event.type === 'session') ctx.abort();
      });
      return { events, exit: await ctx.processes[0]?.exited };
    }

    // How the process died tells whether the stop needed its SIGKILL escalation, with no clock.
    it('ends cancelled at the SIGTERM when a hanging run is aborted', async () => {
      const { events, exit } = await abortOnceStarted({});
      assert.deepEqual(finalDone(events), { type: 'done', status: 'cancelled', exitCode: null });
      assert.deepEqual(exit, { code: null, signal: 'SIGTERM' });
      assert.equal(isAlive(ctx.processes[0]?.pid ?? 0), false);
    });

    it('ends cancelled after the SIGKILL escalation when claude ignores SIGTERM', async () => {
      const { events, exit } = await abortOnceStarted({ ignoreSigterm: true });
      assert.deepEqual(finalDone(events), { type: 'done', status: 'cancelled', exitCode: null });
      assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
      assert.equal(isAlive(ctx.processes[0]?.pid ?? 0), false);
    });
  });

  describe('resume', () => {
    it('continues the session it is given', async () => {
      const first = await run('write one.txt 1');
      const [session] = eventsOfType(first, 'session');
      assert.ok(session !== undefined);
      assert.ok(fakeAgent.resume !== undefined);

      const resumeCtx = runContext();
      const resumed = await collectEvents(fakeAgent.resume({ attemptId: 'att_test', prompt: 'write two.txt 2', sessionId: session.sessionId, options: DEFAULT_OPTIONS }, resumeCtx));
      assert.deepEqual(eventsOfType(resumed, 'session').map((event) => event.sessionId), [session.sessionId]);
      assert.equal(readFileSync(path.join(worktree, 'two.txt'), 'utf8'), '2\n');
      assert.equal(finalDone(resumed).status, 'succeeded');
    });
  });
});
