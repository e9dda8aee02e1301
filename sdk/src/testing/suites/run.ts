import { isDeepStrictEqual } from 'node:util';
import type { ExecutorEvent } from '../../events.ts';
import type { Executor } from '../../executor.ts';
import { checkEventStream, matchesFields, missingInOrder } from '../event-stream.ts';
import type { AskedApproval, SpawnedProcess } from '../fake-run-context.ts';
import type { SuiteSetup } from '../kit-options.ts';
import { assertNoProblems, describeValue } from '../problems.ts';
import type { Transcript } from '../transcripts.ts';
import { KIT_MCP_SERVER, PROCESS_MODES, replay, transcriptInput, type Replay } from './replay.ts';

/** The only spawn options there are; a `cwd` in particular would be an attempt to leave the worktree. */
const SPAWN_OPTION_KEYS = ['env', 'stdin', 'interactive'];

/** How the executor asked for its processes: the host pins cwd and owns the environment, so only these are the executor's to choose. */
function spawnProblems(spawned: readonly SpawnedProcess[]): string[] {
  if (spawned.length === 0) return ['run never called ctx.spawn, so the recorded CLI output was never read'];
  return spawned.flatMap(({ call }, index) => {
    const which = `spawn #${index + 1}`;
    const problems: string[] = [];
    if (typeof call.command !== 'string' || call.command === '') problems.push(`${which}: the command must be a non-empty string, received ${describeValue(call.command)}`);
    if (!Array.isArray(call.args) || !call.args.every((arg) => typeof arg === 'string')) problems.push(`${which}: args must be a list of strings`);
    for (const key of Object.keys(call.options)) {
      if (!SPAWN_OPTION_KEYS.includes(key)) problems.push(`${which}: unknown spawn option "${key}"; the host pins the cwd to the worktree and takes only ${SPAWN_OPTION_KEYS.join(' and ')}`);
    }
    for (const [name, value] of Object.entries(call.options.env ?? {})) {
      if (typeof value !== 'string') problems.push(`${which}: env.${name} must be a string, received ${describeValue(value)}`);
    }
    if (call.options.stdin !== undefined && typeof call.options.stdin !== 'string') problems.push(`${which}: stdin must be a string`);
    if (call.options.interactive !== undefined && typeof call.options.interactive !== 'boolean') problems.push(`${which}: interactive must be true or false`);
    return problems;
  });
}

/** What a transcript says the run must have yielded, beyond the rules every stream follows. */
function expectationProblems(executor: Executor, transcript: Transcript, events: readonly ExecutorEvent[]): string[] {
  const { expected } = transcript;
  const problems: string[] = [];
  const done = events.find((event) => event.type === 'done');
  if (done !== undefined && !matchesFields(done, expected.done)) problems.push(`done was ${JSON.stringify(done)}; expected ${JSON.stringify(expected.done)}`);
  const missing = missingInOrder(events, expected.events ?? []);
  if (missing !== null) problems.push(missing);
  const beforeDone = events.filter((event) => event.type !== 'done');
  const sessions = beforeDone.filter((event) => event.type === 'session');
  if (expected.sessionId !== undefined && !sessions.some((event) => event.sessionId === expected.sessionId)) {
    problems.push(`the recording reports session ${expected.sessionId}, but no session event before done carries it`);
  }
  // A follow-up can resume only a session the run reported.
  const capabilities = executor.capabilities as Partial<Executor['capabilities']> | undefined;
  if (capabilities?.resume === true && expected.done.status === 'succeeded' && sessions.length === 0) {
    problems.push('capabilities.resume is true, but the run reported no session event before done');
  }
  const usage = beforeDone.filter((event) => event.type === 'usage');
  if (capabilities?.usageReporting === true && expected.usage === true && usage.length === 0) {
    problems.push('capabilities.usageReporting is true and the recording reports usage, but the run yielded no usage event');
  }
  if (capabilities?.usageReporting !== true && usage.length > 0) problems.push('the run yielded usage events, but capabilities.usageReporting is false');
  return problems;
}

/** The approvals the transcript says the run asks for, in order, against those it asked for. */
function approvalProblems(transcript: Transcript, asked: readonly AskedApproval[]): string[] {
  const expected = transcript.expected.approvals ?? [];
  const tools = asked.map(({ request }) => request.tool);
  if (isDeepStrictEqual(tools, expected.map(({ tool }) => tool))) return [];
  return [`the run asked for approvals of [${tools.join(', ')}]; the transcript expects [${expected.map(({ tool }) => tool).join(', ')}]`];
}

/** An executor that declares `mcpServers` must hand the run's servers to its CLI: in its arguments, environment, stdin or a file in the scratch folder. */
function mcpProblems(executor: Executor, run: Replay): string[] {
  if (executor.capabilities?.mcpServers !== true) return [];
  const places = run.ctx.spawned.flatMap(({ call, env, written }) => [...call.args, ...Object.values(env), ...written]);
  const reached = [...places, ...run.scratchFiles.values()].some((text) => String(text).includes(KIT_MCP_SERVER.command));
  return reached ? [] : [`capabilities.mcpServers is true, but the run's MCP server (command "${KIT_MCP_SERVER.command}") reached the CLI nowhere: not in its arguments, environment, stdin or a file in ctx.scratchDir`];
}

/** Events without the log lines, which may interleave differently when two pipes are read. */
const withoutLogs = (events: readonly ExecutorEvent[]) => events.filter((event) => event.type !== 'log');
const logTexts = (events: readonly ExecutorEvent[]) => events.flatMap((event) => (event.type === 'log' ? [`${event.level}: ${event.text}`] : [])).sort();

/**
 * Replays every recorded transcript through run() and checks the stream it yields, once with the
 * kit's fake processes and once with real ones run by the host's process layer: the two must
 * yield the same events.
 */
export function runSuite(setup: SuiteSetup, executor: Executor, transcripts: readonly Transcript[]): void {
  const { describe, it, timeoutMs } = setup;
  describe('run', () => {
    it('has recorded transcripts to replay', async () => {
      assertNoProblems('nothing to replay', transcripts.length > 0 ? [] : [`no transcript is for ${executor.id}; record the CLI's stdout as <name>.jsonl with a <name>.expected.json`]);
    });

    for (const transcript of transcripts) {
      it(`turns ${transcript.name} into a valid stream that ends as recorded, with fake and with real processes`, async () => {
        const input = transcriptInput(executor, transcript);
        const streams: ExecutorEvent[][] = [];
        for (const mode of PROCESS_MODES) {
          const run = await replay(executor, transcript, timeoutMs, (context) => executor.run(input, context), undefined, mode);
          const stream = checkEventStream(run.drained);
          assertNoProblems(`${executor.id} replaying ${transcript.name} (${mode} processes)`, [
            ...stream.problems,
            ...expectationProblems(executor, transcript, stream.events),
            ...spawnProblems(run.ctx.spawned),
            ...approvalProblems(transcript, run.ctx.approvals),
            ...mcpProblems(executor, run),
          ]);
          streams.push(stream.events);
        }
        const [fake, host] = streams as [ExecutorEvent[], ExecutorEvent[]];
        const drift =
          !isDeepStrictEqual(withoutLogs(fake), withoutLogs(host)) || !isDeepStrictEqual(logTexts(fake), logTexts(host))
            ? [`the run yielded different events with real processes than with the kit's fakes:\n  fake: ${JSON.stringify(fake)}\n  real: ${JSON.stringify(host)}`]
            : [];
        assertNoProblems(`${executor.id} replaying ${transcript.name}`, drift);
      });
    }
  });
}
