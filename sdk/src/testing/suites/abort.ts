import type { Executor } from '../../executor.ts';
import { checkEventStream, typeOf } from '../event-stream.ts';
import type { SuiteSetup } from '../kit-options.ts';
import { assertNoProblems, fail } from '../problems.ts';
import type { Transcript } from '../transcripts.ts';
import { withinTimeout } from '../within-timeout.ts';
import { replay, transcriptInput } from './replay.ts';

/**
 * How long a stream may go on once the run is stopped. Unlike the hang timeout, this is a
 * requirement: a user who stops an attempt expects it to stop, and the fake process is already
 * dead, so an executor that listens to its signal ends in a few turns of the event loop.
 */
export const DEFAULT_ABORT_TIMEOUT_MS = 2_000;

/**
 * Stops a run the way a user does: the signal is aborted as the first event arrives, and the fake
 * process is killed (no further output, exit by SIGTERM). From then on the stream may yield only
 * `done {status: "cancelled"}` (or no `done`, which the host then writes itself), must end within
 * `abortTimeoutMs`, and must start nothing new. The longest transcript is used, so the stop lands
 * mid-stream.
 */
export function abortSuite(setup: SuiteSetup, abortTimeoutMs: number, executor: Executor, transcripts: readonly Transcript[]): void {
  const { describe, it, timeoutMs } = setup;
  describe('abort', () => {
    it('ends the stream promptly, yielding nothing but a cancelled done, when the run is stopped mid-stream', async () => {
      const longest = [...transcripts].sort((a, b) => b.recording.stdout.length - a.recording.stdout.length)[0];
      if (longest === undefined || longest.recording.stdout.length < 2) {
        fail('nothing to abort', ['the abort suite needs a transcript of at least two stdout lines to stop mid-stream']);
      }
      const input = transcriptInput(executor, longest);
      let spawnsAtStop: number | undefined;
      let stopped!: () => void;
      const whenStopped = new Promise<void>((resolve) => (stopped = resolve));
      const replaying = replay(executor, longest, timeoutMs, (context) => executor.run(input, context), (_value, context) => {
        if (spawnsAtStop !== undefined) return;
        spawnsAtStop = context.spawned.length;
        context.abort();
        stopped();
      });
      // The hang timeout covers the wait for the first event; from the stop on, the shorter limit applies.
      const what = `the stream of ${executor.id} after the stop (replaying ${longest.name})`;
      const { ctx, drained } = await Promise.race([replaying, whenStopped.then(() => withinTimeout(replaying, abortTimeoutMs, what))]);
      const stream = checkEventStream(drained, { doneRequired: false });
      const problems = [...stream.problems];
      // The stop comes with the first event, so everything after it came after the stop.
      const lateEvents = drained.values.slice(1).filter((value) => typeOf(value) !== 'done');
      if (typeOf(drained.values[0]) === 'done') problems.push(`the first event of ${longest.name} was done, so there was no stream left to stop; yield events as output arrives`);
      if (lateEvents.length > 0) problems.push(`${lateEvents.length} event(s) came after the stop (the first a ${String(typeOf(lateEvents[0]))}); once ctx.signal is aborted, yield only done {status: "cancelled"}`);
      if (stream.done !== undefined && stream.done.status !== 'cancelled') problems.push(`after the stop, done has status "${stream.done.status}"; it must be "cancelled"`);
      if (spawnsAtStop !== undefined && ctx.spawned.length > spawnsAtStop) problems.push(`${ctx.spawned.length - spawnsAtStop} process(es) were spawned after the stop`);
      assertNoProblems(`${executor.id} stopped while replaying ${longest.name}`, problems);
    });
  });
}
