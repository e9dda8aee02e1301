import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Executor, RunInput } from '../../executor.ts';
import type { InferOptions, OptionShape } from '../../options.ts';
import { deepFreeze } from '../deep-freeze.ts';
import { drainRun, type DrainedRun } from '../event-stream.ts';
import { createFakeRunContext, type FakeRunContext } from '../fake-run-context.ts';
import { assertNoProblems } from '../problems.ts';
import type { Transcript } from '../transcripts.ts';

/** The prompt a transcript replays with when its `input` gives none. */
export const DEFAULT_PROMPT = 'Replay of a recorded transcript by the Forge conformance kit.';

/**
 * The input the host would pass for a transcript: its options with the descriptors' defaults
 * filled in, deeply frozen so an executor that mutates its input fails loudly.
 */
export function transcriptInput(executor: Executor, transcript: Transcript): RunInput<InferOptions<OptionShape>> {
  const shape: OptionShape = executor.options ?? {};
  const given = transcript.expected.input?.options ?? {};
  const problems = Object.keys(given)
    .filter((name) => !Object.hasOwn(shape, name))
    .map((name) => `input.options.${name} is not an option of ${executor.id}; the host would reject it`);
  const options: Record<string, InferOptions<OptionShape>[string]> = {};
  for (const [name, descriptor] of Object.entries(shape)) {
    // The transcript's values are passed as the host would pass them after validation; the run checks their effect.
    const value = (given[name] ?? ('default' in descriptor ? descriptor.default : undefined)) as InferOptions<OptionShape>[string];
    if (value !== undefined) options[name] = value;
    else if (descriptor.required) problems.push(`input.options.${name} is required by ${executor.id}; give it in the transcript's input`);
  }
  assertNoProblems(`transcript ${transcript.name} cannot be replayed`, problems);
  return deepFreeze({ attemptId: 'conformance-attempt', prompt: transcript.expected.input?.prompt ?? DEFAULT_PROMPT, options });
}

export interface Replay {
  ctx: FakeRunContext;
  drained: DrainedRun;
}

/**
 * Runs a hook against a fake context replaying the transcript, in a fresh empty worktree folder
 * (an executor may look at its worktree), and reads the stream to its end.
 */
export async function replay(
  transcript: Transcript,
  timeoutMs: number,
  open: (ctx: FakeRunContext) => AsyncIterable<unknown>,
  onValue?: (value: unknown, ctx: FakeRunContext) => void,
): Promise<Replay> {
  const worktree = await realpath(await mkdtemp(path.join(tmpdir(), 'forge-conformance-')));
  try {
    const ctx = createFakeRunContext({ recording: transcript.recording, worktreePath: worktree });
    const drained = await drainRun(() => open(ctx), timeoutMs, `the run replaying ${transcript.name}`, (value) => onValue?.(value, ctx));
    return { ctx, drained };
  } finally {
    await rm(worktree, { recursive: true, force: true });
  }
}
