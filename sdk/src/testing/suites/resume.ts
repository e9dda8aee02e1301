import { randomUUID } from 'node:crypto';
import type { Executor } from '../../executor.ts';
import { deepFreeze } from '../deep-freeze.ts';
import { checkEventStream } from '../event-stream.ts';
import type { SuiteSetup } from '../kit-options.ts';
import { assertNoProblems, fail } from '../problems.ts';
import type { Transcript } from '../transcripts.ts';
import { replay, transcriptInput } from './replay.ts';

/**
 * For an executor with `capabilities.resume`: resume() continues a session. Its stream follows
 * the same rules as run()'s, and the session id must reach the CLI — in an argument, the
 * environment or a line written to its stdin — or the agent would start afresh. A fresh UUID
 * is used, so it cannot be found by coincidence.
 */
export function resumeSuite(setup: SuiteSetup, executor: Executor, transcripts: readonly Transcript[]): void {
  const { describe, it, timeoutMs } = setup;
  describe('resume', () => {
    it('continues a session and hands its id to the CLI', async () => {
      const transcript = transcripts.find((candidate) => candidate.expected.done.status === 'succeeded') ?? transcripts[0];
      const resume = executor.resume;
      if (transcript === undefined) fail('nothing to resume', ['no transcript to replay']);
      if (typeof resume !== 'function') fail('nothing to resume', ['resume is not a function']);
      const sessionId = randomUUID();
      const input = deepFreeze({ ...transcriptInput(executor, transcript), sessionId });
      const { ctx, drained } = await replay(executor, transcript, timeoutMs, (context) => resume.call(executor, input, context));
      const stream = checkEventStream(drained);
      const problems = [...stream.problems];
      if (stream.done !== undefined && stream.done.status !== transcript.expected.done.status) {
        problems.push(`done has status "${stream.done.status}"; replaying ${transcript.name} it must be "${transcript.expected.done.status}"`);
      }
      const first = ctx.spawned[0];
      if (first === undefined) problems.push('resume never called ctx.spawn');
      else if (![...first.call.args, ...Object.values(first.env), ...first.written].some((value) => String(value).includes(sessionId))) {
        problems.push(`the session id ${sessionId} reached the CLI neither in its arguments, its environment nor what was written to its stdin`);
      }
      assertNoProblems(`${executor.id} resuming with ${transcript.name}`, problems);
    });
  });
}
