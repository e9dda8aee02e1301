import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { defineExecutor, definePack, type ExecutorEvent, type ManagedProcess, type OutputLine, type Pack, type RunContext, type SpawnOptions } from '@forge-core/sdk';
import { createFakeRunContext, executorConformance, FakeProcess, loadTranscripts, type Recording } from '@forge-core/sdk/testing';
import { HostProcess } from '../src/process/host-process.ts';
import type { ProcessStarter } from '../src/testing/fake-run-context.ts';
import { answerKey, mayPrint, messageOf, RECORDING_GATE_SOURCE, requestKey, waitsForEndOfInput } from '../src/testing/recording-gate.ts';
import { replayProcessStarter } from '../src/testing/replay-process.ts';
import rpcPack, { rpcDefinition } from './fixtures/conformance-kit/rpc-pack/index.ts';
import { assertFailed, failureOf, failures, runKit } from './support/run-kit.ts';

const RPC_DIR = new URL('./fixtures/conformance-kit/rpc-pack/', import.meta.url);
const RPC_PACKAGE_JSON = new URL('package.json', RPC_DIR);
const RPC_TRANSCRIPTS = new URL('transcripts/', RPC_DIR);

const json = (message: unknown) => JSON.stringify(message);

// What a JSON-RPC client writes and a CLI prints, as single lines.
const INITIALIZE = json({ id: 1, method: 'initialize' });
const SESSION_START = json({ id: 2, method: 'session/start' });
const PROGRESS = json({ method: 'progress', params: { step: 1 } });
const SESSION_STARTED = json({ id: 2, result: { sessionId: 's1' } });
const METHOD_MISSING = json({ id: 3, error: { code: -32601, message: 'no such method' } });
const APPROVE = json({ id: 'a1', method: 'item/approve', params: { tool: 'shell' } });
const APPROVED = json({ id: 'a1', result: { allow: true } });
const REFUSED = json({ id: 'a1', error: { code: -32000, message: 'refused' } });
const ITEM_DONE = json({ method: 'item/done' });
// Claude's stream-json control protocol: a request either side makes, answered by request_id.
const CONTROL_REQUEST = json({ type: 'control_request', request_id: 'r1', request: { subtype: 'can_use_tool', tool_name: 'Bash' } });
const CONTROL_RESPONSE = json({ type: 'control_response', response: { subtype: 'success', request_id: 'r1', response: { behavior: 'allow' } } });
const ASSISTANT = json({ type: 'assistant', message: { content: [] } });

describe('interactive replay (SDK contract 1.1)', () => {
  describe('recording gate', () => {
    it('parses only JSON objects as messages', () => {
      assert.deepEqual(messageOf(INITIALIZE), { id: 1, method: 'initialize' });
      for (const line of ['plain text', '42', '"a string"', '[1,2]', 'null', '{"id":1']) assert.equal(messageOf(line), null, line);
    });

    it('keys the requests a line makes: JSON-RPC requests by id, Claude control requests by request_id', () => {
      assert.equal(requestKey(messageOf(INITIALIZE)), 'rpc:1');
      assert.equal(requestKey(messageOf(APPROVE)), 'rpc:"a1"');
      assert.equal(requestKey(messageOf(json({ id: '1', method: 'initialize' }))), 'rpc:"1"', 'a string id is not the number');
      assert.equal(requestKey(messageOf(CONTROL_REQUEST)), 'control:r1');
      for (const line of [PROGRESS, SESSION_STARTED, METHOD_MISSING, APPROVED, CONTROL_RESPONSE, ASSISTANT, 'plain text', json({ type: 'control_request', request_id: 7 })]) {
        assert.equal(requestKey(messageOf(line)), null, line);
      }
    });

    it('keys the requests a line answers: JSON-RPC results and errors by id, Claude control responses by request_id', () => {
      assert.equal(answerKey(messageOf(SESSION_STARTED)), 'rpc:2');
      assert.equal(answerKey(messageOf(METHOD_MISSING)), 'rpc:3');
      assert.equal(answerKey(messageOf(APPROVED)), 'rpc:"a1"');
      assert.equal(answerKey(messageOf(REFUSED)), 'rpc:"a1"');
      assert.equal(answerKey(messageOf(CONTROL_RESPONSE)), 'control:r1');
      for (const line of [INITIALIZE, APPROVE, PROGRESS, CONTROL_REQUEST, ASSISTANT, 'plain text', json({ id: 4 }), json({ type: 'control_response', response: 'ok' })]) {
        assert.equal(answerKey(messageOf(line)), null, line);
      }
    });

    it('prints everything, in any order, for a process that is not interactive', () => {
      for (const line of [SESSION_STARTED, PROGRESS, 'plain text']) {
        assert.equal(mayPrint(line, false, [], []), true, line);
        assert.equal(mayPrint(line, false, [], [APPROVE, CONTROL_REQUEST]), true, line);
      }
    });

    it('prints nothing, plain text included, before the executor wrote a line', () => {
      for (const line of [PROGRESS, 'plain text', ASSISTANT]) assert.equal(mayPrint(line, true, [], []), false, line);
      assert.equal(mayPrint('plain text', true, ['plain text in'], []), true);
      assert.equal(mayPrint(PROGRESS, true, [INITIALIZE], []), true);
    });

    it('holds a JSON-RPC response, result or error, until the request with its id was written', () => {
      assert.equal(mayPrint(SESSION_STARTED, true, [INITIALIZE], []), false);
      assert.equal(mayPrint(SESSION_STARTED, true, [INITIALIZE, json({ id: '2', method: 'session/start' })], []), false, 'a string "2" is not the id 2');
      assert.equal(mayPrint(SESSION_STARTED, true, [INITIALIZE, SESSION_START], []), true);
      assert.equal(mayPrint(METHOD_MISSING, true, [INITIALIZE, SESSION_START], []), false);
      assert.equal(mayPrint(METHOD_MISSING, true, [INITIALIZE, json({ id: 3, method: 'nothing/here' })], []), true);
    });

    it('prints nothing after a request of its own until the executor answered it, by result or by error', () => {
      for (const line of [ITEM_DONE, 'plain text', SESSION_STARTED]) {
        assert.equal(mayPrint(line, true, [INITIALIZE, SESSION_START], [APPROVE]), false, line);
        assert.equal(mayPrint(line, true, [INITIALIZE, SESSION_START, json({ id: 'a2', result: {} })], [APPROVE]), false, `${line} after an answer to another request`);
        assert.equal(mayPrint(line, true, [INITIALIZE, SESSION_START, json({ id: 'a1', method: 'item/approve' })], [APPROVE]), false, `${line} after a request, not an answer, with that id`);
        assert.equal(mayPrint(line, true, [INITIALIZE, SESSION_START, APPROVED], [APPROVE]), true, line);
        assert.equal(mayPrint(line, true, [INITIALIZE, SESSION_START, REFUSED], [APPROVE]), true, line);
      }
    });

    it('gates Claude control requests both ways, and lets plain lines it printed pass', () => {
      const userTurn = json({ type: 'user', message: { role: 'user', content: 'hi' } });
      assert.equal(mayPrint(ASSISTANT, true, [userTurn], [CONTROL_REQUEST]), false, 'the CLI asked, nobody answered');
      assert.equal(mayPrint(ASSISTANT, true, [userTurn, CONTROL_RESPONSE], [CONTROL_REQUEST]), true);
      // The executor's own control request (an initialize): the CLI's response waits for it.
      assert.equal(mayPrint(CONTROL_RESPONSE, true, [userTurn], []), false);
      assert.equal(mayPrint(CONTROL_RESPONSE, true, [userTurn, CONTROL_REQUEST], []), true);
      assert.equal(mayPrint(ASSISTANT, true, [userTurn], ['plain text', ASSISTANT, PROGRESS]), true);
    });

    it('waits for the end of input only for an interactive process whose recording ends well', () => {
      assert.equal(waitsForEndOfInput(true, 0, null), true);
      assert.equal(waitsForEndOfInput(true, 3, null), false);
      assert.equal(waitsForEndOfInput(true, null, 'SIGKILL'), false);
      assert.equal(waitsForEndOfInput(false, 0, null), false);
    });

    it('runs from its source text alone, as the child Node replaying a recording runs it', () => {
      const gate = new Function(`${RECORDING_GATE_SOURCE}\nreturn { mayPrint, waitsForEndOfInput };`)() as { mayPrint: typeof mayPrint; waitsForEndOfInput: typeof waitsForEndOfInput };
      assert.equal(gate.mayPrint(ITEM_DONE, true, [INITIALIZE], [APPROVE]), false);
      assert.equal(gate.mayPrint(ITEM_DONE, true, [INITIALIZE, APPROVED], [APPROVE]), true);
      assert.equal(gate.waitsForEndOfInput(true, 0, null), true);
    });
  });

  describe('replayed processes', () => {
    // Long enough for a line that was free to go out to arrive; a "not yet" proves nothing about speed.
    const QUIET_MS = 50;
    let dir: string;
    let startReplay: ProcessStarter;
    const children: HostProcess[] = [];

    beforeEach(async () => {
      dir = await realpath(await mkdtemp(path.join(tmpdir(), 'forge-interactive-replay-')));
      startReplay = replayProcessStarter(dir);
    });

    afterEach(async () => {
      await Promise.all(children.splice(0).map((child) => child.stop(500)));
      await rm(dir, { recursive: true, force: true });
    });

    /** True when the promise has not settled after a quiet spell. */
    async function stillPending(promise: Promise<unknown>): Promise<boolean> {
      const settled = promise.then(
        () => true,
        () => true,
      );
      return !(await Promise.race([settled, sleep(QUIET_MS, false)]));
    }

    /** Reads a process's output a line at a time, and tells whether nothing has come yet. */
    class OutputReader {
      readonly #lines: AsyncIterator<OutputLine>;
      #next: Promise<IteratorResult<OutputLine>> | undefined;

      constructor(process: ManagedProcess) {
        this.#lines = process.lines()[Symbol.asyncIterator]();
      }

      #peek(): Promise<IteratorResult<OutputLine>> {
        this.#next ??= this.#lines.next();
        return this.#next;
      }

      /** The next line, or null once the output has ended. */
      async line(): Promise<OutputLine | null> {
        const result = await this.#peek();
        this.#next = undefined;
        return result.done ? null : result.value;
      }

      /** Every line up to the end of the output. */
      async rest(): Promise<OutputLine[]> {
        const lines: OutputLine[] = [];
        for (let line = await this.line(); line !== null; line = await this.line()) lines.push(line);
        return lines;
      }

      /** Whether neither a line nor the end of the output has come after a quiet spell. */
      silent(): Promise<boolean> {
        return stillPending(this.#peek());
      }
    }

    const stdout = (text: string): OutputLine => ({ stream: 'stdout', text });

    interface ProcessKind {
      name: string;
      start(recording: Recording, options: SpawnOptions): ManagedProcess;
      /** Resolves once a process of this kind started just before would have printed, had it been free to. */
      running(): Promise<void>;
    }

    const call = (options: SpawnOptions) => ({ command: 'agent', args: [], options });

    const KINDS: ProcessKind[] = [
      {
        name: 'FakeProcess',
        start: (recording, options) => new FakeProcess(recording, call(options), new AbortController().signal),
        running: async () => undefined,
      },
      {
        name: 'a real child from replayProcessStarter',
        start(recording, options) {
          const child = startReplay(recording, call(options), new AbortController().signal, dir);
          assert.ok(child instanceof HostProcess);
          children.push(child);
          return child;
        },
        // A Node child started after it has printed and exited, so it has had the time to start too.
        async running() {
          const control = this.start({ stdout: ['ready'] }, {});
          assert.deepEqual(await new OutputReader(control).rest(), [stdout('ready')]);
          await control.exited;
        },
      },
    ];

    for (const kind of KINDS) {
      describe(`as ${kind.name}`, () => {
        it('prints nothing before the executor writes its first line', async () => {
          const child = kind.start({ stdout: [PROGRESS] }, { interactive: true });
          const output = new OutputReader(child);
          await kind.running();
          assert.equal(await output.silent(), true, 'it printed before it was written to');
          assert.equal(child.writeLine(INITIALIZE), true);
          assert.deepEqual(await output.line(), stdout(PROGRESS));
          child.closeStdin();
          assert.equal(await output.line(), null);
          assert.deepEqual(await child.exited, { code: 0, signal: null });
        });

        it('holds a recorded response until its request was written, printing the notification before it', async () => {
          const child = kind.start({ stdout: [PROGRESS, SESSION_STARTED] }, { interactive: true });
          const output = new OutputReader(child);
          child.writeLine(INITIALIZE);
          assert.deepEqual(await output.line(), stdout(PROGRESS));
          assert.equal(await output.silent(), true, 'the response to request 2 came before request 2 was written');
          child.writeLine(json({ id: '2', method: 'session/start' }));
          assert.equal(await output.silent(), true, 'a request with the id "2" released the response to the id 2');
          child.writeLine(SESSION_START);
          assert.deepEqual(await output.line(), stdout(SESSION_STARTED));
          child.closeStdin();
          assert.equal(await output.line(), null);
          assert.deepEqual(await child.exited, { code: 0, signal: null });
        });

        it('after a request of its own, prints nothing more until the executor answers it', async () => {
          const child = kind.start({ stdout: [APPROVE, ITEM_DONE] }, { interactive: true });
          const output = new OutputReader(child);
          child.writeLine(INITIALIZE);
          assert.deepEqual(await output.line(), stdout(APPROVE));
          assert.equal(await output.silent(), true, 'it went on past a request nobody answered');
          child.writeLine(json({ id: 'a2', result: { allow: true } }));
          assert.equal(await output.silent(), true, 'an answer to another request released it');
          child.writeLine(APPROVED);
          assert.deepEqual(await output.line(), stdout(ITEM_DONE));
          child.closeStdin();
          assert.equal(await output.line(), null);
          assert.deepEqual(await child.exited, { code: 0, signal: null });
        });

        it('after its last line, does not exit until its input is closed', async () => {
          const child = kind.start({ stdout: [ITEM_DONE] }, { interactive: true });
          const output = new OutputReader(child);
          child.writeLine(INITIALIZE);
          assert.deepEqual(await output.line(), stdout(ITEM_DONE));
          assert.equal(await output.silent(), true, 'its output ended while its input was open');
          assert.equal(await stillPending(child.exited), true, 'it exited while its input was open');
          child.closeStdin();
          assert.equal(await output.line(), null);
          assert.deepEqual(await child.exited, { code: 0, signal: null });
        });

        it('exits as recorded, without waiting for its input to close, when the recording ends in a crash', async () => {
          const child = kind.start({ stdout: [ITEM_DONE], stderr: ['agent: crashed'], exitCode: 3 }, { interactive: true });
          const output = new OutputReader(child);
          child.writeLine(INITIALIZE);
          assert.deepEqual(await output.rest(), [stdout(ITEM_DONE), { stream: 'stderr', text: 'agent: crashed' }]);
          assert.deepEqual(await child.exited, { code: 3, signal: null });
        });

        it('refuses lines once it has exited', async () => {
          const child = kind.start({ stdout: [ITEM_DONE], exitCode: 3 }, { interactive: true });
          child.writeLine(INITIALIZE);
          await new OutputReader(child).rest();
          await child.exited;
          assert.equal(child.writeLine(INITIALIZE), false, 'writeLine to a process that has exited answered true');
        });

        it('refuses lines once its input is closed, and closes it more than once', async () => {
          const child = kind.start({ stdout: [] }, { interactive: true });
          const output = new OutputReader(child);
          assert.equal(child.writeLine(INITIALIZE), true);
          child.closeStdin();
          child.closeStdin();
          assert.equal(child.writeLine(SESSION_START), false);
          assert.equal(await output.line(), null);
          assert.deepEqual(await child.exited, { code: 0, signal: null });
        });

        it('throws a TypeError for a line holding a newline, and writes none of it', async () => {
          const child = kind.start({ stdout: [PROGRESS] }, { interactive: true });
          const output = new OutputReader(child);
          for (const text of ['a\nb', 'a\r', `${INITIALIZE}\n`]) assert.throws(() => child.writeLine(text), TypeError, JSON.stringify(text));
          await kind.running();
          assert.equal(await output.silent(), true, 'a line it refused reached the process');
          child.writeLine(INITIALIZE);
          assert.deepEqual(await output.line(), stdout(PROGRESS));
          child.closeStdin();
          assert.equal(await output.line(), null);
          assert.deepEqual(await child.exited, { code: 0, signal: null });
        });

        it('replays a process that is not interactive whole, whatever it was given, and exits with the recorded code', async () => {
          const recorded = [PROGRESS, SESSION_STARTED, APPROVE, ITEM_DONE];
          const child = kind.start({ stdout: recorded, stderr: ['agent: warning'], exitCode: 4 }, { stdin: 'x' });
          const lines = await new OutputReader(child).rest();
          // Separately: two pipes read by the host may interleave differently.
          assert.deepEqual(lines.filter((line) => line.stream === 'stdout'), recorded.map(stdout));
          assert.deepEqual(lines.filter((line) => line.stream === 'stderr'), [{ stream: 'stderr', text: 'agent: warning' }]);
          assert.deepEqual(await child.exited, { code: 4, signal: null });
          assert.equal(child.writeLine('y'), false, 'a process that is not interactive took a line');
        });
      });
    }
  });

  describe('an executor pack speaking JSON-RPC', () => {

    // Small, so that a run that hangs fails in seconds; still far above what a replay takes.
    const HANG_TIMEOUT_MS = 3_000;
    const RUN = (transcript: string) => `executor rpc > run > turns ${transcript} into a valid stream that ends as recorded, with fake and with real processes`;
    const RESUME = 'executor rpc > resume > continues a session and hands its id to the CLI';
    const TRANSCRIPTS = ['approval-denied', 'failure', 'success'];

    const checkRpc = (pack: Pack = rpcPack) => runKit((runner) => executorConformance({ pack, packageJson: RPC_PACKAGE_JSON, transcripts: RPC_TRANSCRIPTS, timeoutMs: HANG_TIMEOUT_MS, ...runner }));

    /** The rpc executor, run and resumed with what the host lends it changed by `change`. */
    function rpcVariant(change: (ctx: RunContext) => RunContext): Pack {
      const { run, resume } = rpcDefinition;
      assert.ok(resume);
      return definePack({
        executors: [defineExecutor({ ...rpcDefinition, run: (input, ctx) => run(input, change(ctx)), resume: (input, ctx) => resume(input, change(ctx)) })],
      });
    }

    /** A context whose processes are changed by `change` before the executor gets them. */
    function withProcesses(ctx: RunContext, change: (process: ManagedProcess) => Partial<ManagedProcess>): RunContext {
      return {
        ...ctx,
        spawn(command, args, options) {
          const process = ctx.spawn(command, args, options);
          const wrapped: ManagedProcess = {
            get pid() {
              return process.pid;
            },
            exited: process.exited,
            lines: () => process.lines(),
            writeLine: (text) => process.writeLine(text),
            closeStdin: () => process.closeStdin(),
          };
          return Object.assign(wrapped, change(process));
        },
      };
    }

    it('passes the whole kit, with fake and with real processes', async () => {
      const outcomes = await checkRpc();
      assert.deepEqual(failures(outcomes), []);
      const suites = new Set(outcomes.map((outcome) => outcome.name.split(' > ').slice(0, -1).join(' > ')));
      assert.deepEqual([...suites], ['manifest', 'executor rpc > definition', 'executor rpc > detect', 'executor rpc > run', 'executor rpc > abort', 'executor rpc > resume']);
      for (const transcript of TRANSCRIPTS) assert.ok(outcomes.some((outcome) => outcome.name === RUN(transcript)), transcript);
    });

    it('answers the agent with the decision the host made', async () => {
      const denied = loadTranscripts(fileURLToPath(RPC_TRANSCRIPTS)).find((transcript) => transcript.name === 'approval-denied');
      assert.ok(denied);
      const ctx = createFakeRunContext({ recording: denied.recording, approvals: [{ outcome: 'denied', reason: 'Not on this machine' }] });
      const events: ExecutorEvent[] = [];
      for await (const event of rpcDefinition.run({ attemptId: 'a', prompt: 'clean the build folder', options: {} }, ctx)) events.push(event);
      assert.deepEqual(ctx.approvals.map(({ request }) => request), [{ tool: 'shell', input: { command: 'rm -rf build' }, callId: 'c1', summary: 'rm -rf build' }]);
      assert.ok(ctx.spawned[0]?.written.includes(json({ id: 'a1', result: { allow: false, reason: 'Not on this machine' } })), JSON.stringify(ctx.spawned[0]?.written));
      assert.equal(events.at(-1)?.type, 'done');
    });

    it('fails an executor that never answers the agent, within timeoutMs and naming the hang', async () => {
      // The executor asks the host and means to answer, but the answer never reaches the agent.
      const outcomes = await checkRpc(
        rpcVariant((ctx) => withProcesses(ctx, (process) => ({ writeLine: (text) => (typeof messageOf(text)?.['id'] === 'string' ? true : process.writeLine(text)) }))),
      );
      assertFailed(outcomes, [RUN('approval-denied'), RUN('success'), RESUME]);
      assert.match(failureOf(outcomes, RUN('success')), /the run replaying success did not finish within 3000 ms/);
      assert.match(failureOf(outcomes, RESUME), /the run replaying approval-denied did not finish within 3000 ms/);
    });

    it('fails an executor that answers the agent without asking the host', async () => {
      const outcomes = await checkRpc(rpcVariant((ctx) => ({ ...ctx, requestApproval: async () => ({ outcome: 'approved', scope: 'once', by: 'rule' }) })));
      assertFailed(outcomes, [RUN('approval-denied'), RUN('success')]);
      assert.match(failureOf(outcomes, RUN('success')), /the run asked for approvals of \[\]; the transcript expects \[write_file\]/);
      assert.match(failureOf(outcomes, RUN('approval-denied')), /the run asked for approvals of \[\]; the transcript expects \[shell\]/);
    });

    it('fails an executor declaring mcpServers that does not hand them to its CLI, and passes one that writes them to ctx.scratchDir', async () => {
      const outcomes = await checkRpc(rpcVariant((ctx) => ({ ...ctx, mcpServers: [] })));
      assertFailed(outcomes, TRANSCRIPTS.map(RUN));
      assert.match(failureOf(outcomes, RUN('success')), /capabilities.mcpServers is true, but the run's MCP server \(command "forge-kit-mcp-server"\) reached the CLI nowhere/);

      const inScratch = await checkRpc(
        rpcVariant((ctx) => {
          writeFileSync(path.join(ctx.scratchDir, 'mcp.json'), json({ mcpServers: ctx.mcpServers }));
          return { ...ctx, mcpServers: [] };
        }),
      );
      assertFailed(inScratch, []);
    });

    it('fails an executor that yields different events with real processes', async () => {
      const pack = definePack({
        executors: [
          defineExecutor({
            ...rpcDefinition,
            async *run(input, ctx) {
              let pid: number | undefined;
              const watched = withProcesses(ctx, (process) => {
                pid = process.pid;
                return {};
              });
              for await (const event of rpcDefinition.run(input, watched)) {
                if (event.type === 'done' && pid !== undefined) yield { type: 'log', level: 'info', text: 'the agent ran as a real process' };
                yield event;
              }
            },
          }),
        ],
      });
      const outcomes = await checkRpc(pack);
      assertFailed(outcomes, TRANSCRIPTS.map(RUN));
      assert.match(failureOf(outcomes, RUN('success')), /the run yielded different events with real processes than with the kit's fakes/);
    });

    it('fails an executor that never closes the agent\'s input, which then never exits', async () => {
      const outcomes = await checkRpc(rpcVariant((ctx) => withProcesses(ctx, () => ({ closeStdin: () => undefined }))));
      // The failure transcript's agent crashes, and a crashed agent does not wait for its input to close.
      assertFailed(outcomes, [RUN('approval-denied'), RUN('success'), RESUME]);
      assert.match(failureOf(outcomes, RUN('success')), /the run replaying success did not finish within 3000 ms/);
    });
  });
});
