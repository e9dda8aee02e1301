import type { ExecutorEvent } from '../../events.ts';
import type { Executor } from '../../executor.ts';
import { checkEventStream, matchesFields, missingInOrder } from '../event-stream.ts';
import type { FakeProcess } from '../fake-process.ts';
import type { SuiteSetup } from '../kit-options.ts';
import { assertNoProblems, describeValue } from '../problems.ts';
import type { Transcript } from '../transcripts.ts';
import { replay, transcriptInput } from './replay.ts';

/** The only spawn options there are; a `cwd` in particular would be an attempt to leave the worktree. */
const SPAWN_OPTION_KEYS = ['env', 'stdin'];

/** How the executor asked for its processes: the host pins cwd and owns the environment, so only these are the executor's to choose. */
function spawnProblems(spawned: readonly FakeProcess[]): string[] {
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

/** Replays every recorded transcript through run() and checks the stream it yields. */
export function runSuite(setup: SuiteSetup, executor: Executor, transcripts: readonly Transcript[]): void {
  const { describe, it, timeoutMs } = setup;
  describe('run', () => {
    it('has recorded transcripts to replay', async () => {
      assertNoProblems('nothing to replay', transcripts.length > 0 ? [] : [`no transcript is for ${executor.id}; record the CLI's stdout as <name>.jsonl with a <name>.expected.json`]);
    });

    for (const transcript of transcripts) {
      it(`turns ${transcript.name} into a valid stream that ends as recorded`, async () => {
        const input = transcriptInput(executor, transcript);
        const { ctx, drained } = await replay(transcript, timeoutMs, (context) => executor.run(input, context));
        const stream = checkEventStream(drained);
        assertNoProblems(`${executor.id} replaying ${transcript.name}`, [
          ...stream.problems,
          ...expectationProblems(executor, transcript, stream.events),
          ...spawnProblems(ctx.spawned),
        ]);
      });
    }
  });
}
