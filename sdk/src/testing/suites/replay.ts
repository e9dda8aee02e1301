import { mkdir, mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Executor, RunInput } from '../../executor.ts';
import type { StdioMcpServer } from '../../mcp-servers.ts';
import type { InferOptions, OptionShape } from '../../options.ts';
import { HostProcess } from '../../process/host-process.ts';
import { deepFreeze } from '../deep-freeze.ts';
import { drainRun, type DrainedRun } from '../event-stream.ts';
import { createFakeRunContext, type FakeRunContext } from '../fake-run-context.ts';
import { assertNoProblems } from '../problems.ts';
import { replayProcessStarter } from '../replay-process.ts';
import type { Transcript } from '../transcripts.ts';

/** The prompt a transcript replays with when its `input` gives none. */
export const DEFAULT_PROMPT = 'Replay of a recorded transcript by the Forge conformance kit.';

/** The MCP server every replayed run is given; an executor with `capabilities.mcpServers` must pass it on. */
export const KIT_MCP_SERVER: StdioMcpServer = Object.freeze({
  name: 'forge-kit',
  transport: 'stdio',
  command: 'forge-kit-mcp-server',
  args: Object.freeze(['--stdio']),
  env: Object.freeze({ FORGE_KIT_MCP: '1' }),
});

/** fake: the kit's FakeProcess; host: a real child run through the host's process layer. */
export type ProcessMode = 'fake' | 'host';
export const PROCESS_MODES: readonly ProcessMode[] = ['fake', 'host'];

/** A shape's values: the given ones, defaults for the rest; problems for unknown or missing ones. */
function withDefaults(shape: OptionShape, given: Record<string, unknown>, what: string, executorId: string, problems: string[]) {
  for (const name of Object.keys(given).filter((key) => !Object.hasOwn(shape, key))) {
    problems.push(`${what}.${name} is not one of ${executorId}'s ${what === 'input.options' ? 'options' : 'settings'}; the host would reject it`);
  }
  const values: Record<string, InferOptions<OptionShape>[string]> = {};
  for (const [name, descriptor] of Object.entries(shape)) {
    // The transcript's values are passed as the host would pass them after validation; the run checks their effect.
    const value = (given[name] ?? ('default' in descriptor ? descriptor.default : undefined)) as InferOptions<OptionShape>[string];
    if (value !== undefined) values[name] = value;
    else if (descriptor.required) problems.push(`${what}.${name} is required by ${executorId}; give it in the transcript's input`);
  }
  return values;
}

/**
 * The input the host would pass for a transcript: its options with the descriptors' defaults
 * filled in, deeply frozen so an executor that mutates its input fails loudly.
 */
export function transcriptInput(executor: Executor, transcript: Transcript): RunInput<InferOptions<OptionShape>> {
  const problems: string[] = [];
  const options = withDefaults(executor.options ?? {}, transcript.expected.input?.options ?? {}, 'input.options', executor.id, problems);
  assertNoProblems(`transcript ${transcript.name} cannot be replayed`, problems);
  return deepFreeze({ attemptId: 'conformance-attempt', prompt: transcript.expected.input?.prompt ?? DEFAULT_PROMPT, options });
}

/** The executor's settings for a transcript, as the host would validate them from its configuration. */
export function transcriptConfig(executor: Executor, transcript: Transcript): Readonly<Record<string, unknown>> {
  const problems: string[] = [];
  const config = withDefaults(executor.config ?? {}, transcript.expected.input?.config ?? {}, 'input.config', executor.id, problems);
  assertNoProblems(`transcript ${transcript.name} cannot be replayed`, problems);
  return deepFreeze(config);
}

export interface Replay {
  ctx: FakeRunContext;
  drained: DrainedRun;
  /** What the run left in its scratch folder, by path relative to it, read before the folder was removed. */
  scratchFiles: ReadonlyMap<string, string>;
}

async function readTree(dir: string, prefix = ''): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) for (const [name, text] of await readTree(path.join(dir, entry.name), relative)) files.set(name, text);
    else if (entry.isFile()) files.set(relative, await readFile(path.join(dir, entry.name), 'utf8'));
  }
  return files;
}

/**
 * Runs a hook against a fake context replaying the transcript — its processes the kit's fakes or
 * real children of the host's process layer — in a fresh empty worktree folder (an executor may
 * look at its worktree) with a fresh scratch folder, and reads the stream to its end.
 */
export async function replay(
  executor: Executor,
  transcript: Transcript,
  timeoutMs: number,
  open: (ctx: FakeRunContext) => AsyncIterable<unknown>,
  onValue?: (value: unknown, ctx: FakeRunContext) => void,
  mode: ProcessMode = 'fake',
): Promise<Replay> {
  const root = await realpath(await mkdtemp(path.join(tmpdir(), 'forge-conformance-')));
  const [worktree, scratch, recordings] = ['worktree', 'scratch', 'recordings'].map((name) => path.join(root, name)) as [string, string, string];
  let ctx: FakeRunContext | undefined;
  try {
    await Promise.all([worktree, scratch, recordings].map((dir) => mkdir(dir, { mode: 0o700 })));
    ctx = createFakeRunContext({
      recording: transcript.recording,
      worktreePath: worktree,
      scratchDir: scratch,
      mcpServers: [KIT_MCP_SERVER],
      config: transcriptConfig(executor, transcript),
      approvals: (transcript.expected.approvals ?? []).map(({ outcome, scope, reason }) => ({
        outcome: outcome ?? 'approved',
        ...(scope === undefined ? {} : { scope }),
        ...(reason === undefined ? {} : { reason }),
      })),
      ...(mode === 'host' ? { startProcess: replayProcessStarter(recordings) } : {}),
    });
    const context = ctx;
    const drained = await drainRun(() => open(context), timeoutMs, `the run replaying ${transcript.name}${mode === 'host' ? ' through the host process layer' : ''}`, (value) =>
      onValue?.(value, context),
    );
    return { ctx, drained, scratchFiles: await readTree(scratch) };
  } finally {
    // As the host does when a run ends: whatever it left running is stopped.
    await Promise.all((ctx?.spawned ?? []).map(({ process }) => (process instanceof HostProcess ? process.stop(500) : undefined)));
    await rm(root, { recursive: true, force: true });
  }
}
