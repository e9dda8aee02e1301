import type { Executor } from '../../executor.ts';
import { checkEventStream } from '../event-stream.ts';
import type { SuiteSetup } from '../kit-options.ts';
import { assertNoProblems, fail } from '../problems.ts';
import type { Transcript } from '../transcripts.ts';
import { replay, transcriptInput } from './replay.ts';

const isDone = (value: unknown) => (value as { type?: unknown } | null)?.type === 'done';

/**
 * Stops a run the way a user does: the signal is aborted as the first event arrives, and the fake
 * process is killed (no further output, exit by SIGTERM). The stream must then end — with
 * `done {status: "cancelled"}` or with no `done`, which the host writes itself — and start
 * nothing new. The longest transcript is used, so the stop lands mid-stream.
 */
export function abortSuite(setup: SuiteSetup, executor: Executor, transcripts: readonly Transcript[]): void {
  const { describe, it, timeoutMs } = setup;
  describe('abort', () => {
    it('ends the stream when the run is stopped mid-stream', async () => {
      const longest = [...transcripts].sort((a, b) => b.recording.stdout.length - a.recording.stdout.length)[0];
      if (longest === undefined || longest.recording.stdout.length < 2) {
        fail('nothing to abort', ['the abort suite needs a transcript of at least two stdout lines to stop mid-stream']);
      }
      const input = transcriptInput(executor, longest);
      let spawnsAtAbort: number | undefined;
      let firstWasDone = false;
      const { ctx, drained } = await replay(longest, timeoutMs, (context) => executor.run(input, context), (value, context) => {
        if (spawnsAtAbort !== undefined) return;
        firstWasDone = isDone(value);
        spawnsAtAbort = context.spawned.length;
        context.abort();
      });
      const stream = checkEventStream(drained, { doneRequired: false });
      const problems = [...stream.problems];
      if (firstWasDone) problems.push(`the first event of ${longest.name} was done, so there was no stream left to stop; yield events as output arrives`);
      if (stream.done !== undefined && stream.done.status !== 'cancelled') problems.push(`after the stop, done has status "${stream.done.status}"; it must be "cancelled"`);
      if (spawnsAtAbort !== undefined && ctx.spawned.length > spawnsAtAbort) problems.push(`${ctx.spawned.length - spawnsAtAbort} process(es) were spawned after the stop`);
      assertNoProblems(`${executor.id} stopped while replaying ${longest.name}`, problems);
    });
  });
}
