import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHostRunContext, makeTempDir, type HostRunContext, type HostRunContextOptions, type TempDir } from '@forge-core/sdk/testing';

/** What test/fake-cli/fake-acp-agent.mjs appends to FAKE_AGENT_RECORD for each process (its header says when). */
export interface FakeAgentRecord {
  argv: string[];
  cwd: string;
  mcp: unknown[] | null;
  opened: 'new' | 'load' | 'resume' | null;
  sessionId: string | null;
  /** The session a loaded or resumed one continues; null for a new one. */
  resumed: string | null;
  mode: string | null;
  prompts: string[];
}

/** A context's options, and the fake agent's FAKE_AGENT_SCENARIO (success when not given). */
export type FakeAgentContextOptions = Partial<HostRunContextOptions> & { scenario?: string };

export interface FakeAgentRuns {
  /** A temporary folder of the test, made before it and removed after it. */
  readonly root: string;
  /** The runs' worktree, inside it, holding a README.md. */
  readonly worktree: string;
  /** A run context whose processes are real, with the fake agent's HOME, scenario and record file set. */
  context(options?: FakeAgentContextOptions): HostRunContext;
  /** What each fake agent process recorded, in order. */
  records(): FakeAgentRecord[];
}

/**
 * Mocha hooks and helpers for running an ACP executor against fake-acp-agent (or a fake CLI built
 * on it) with real processes: a fresh folder for each test, and every process a run left
 * stopped after it. `config` is the executor's settings for every context unless a test gives its own.
 */
export function fakeAgentRuns(name: string, defaults: { readme?: string; config?: Readonly<Record<string, unknown>> } = {}): FakeAgentRuns {
  let dir: TempDir | undefined;
  let contexts: HostRunContext[] = [];
  const root = () => {
    if (dir === undefined) throw new Error('fakeAgentRuns: used outside a test');
    return dir.path;
  };
  const at = (...parts: string[]) => path.join(root(), ...parts);

  beforeEach(async () => {
    dir = await makeTempDir(name);
    mkdirSync(at('worktree'));
    writeFileSync(at('worktree', 'README.md'), defaults.readme ?? '# Project\n');
    mkdirSync(at('home'));
    contexts = [];
  });

  afterEach(async () => {
    await Promise.all(contexts.map((ctx) => ctx.stopProcesses()));
    await dir?.cleanup();
    dir = undefined;
  });

  return {
    get root() {
      return root();
    },
    get worktree() {
      return at('worktree');
    },
    context({ scenario = 'success', env, ...rest } = {}) {
      const ctx = createHostRunContext({
        worktreePath: at('worktree'),
        scratchDir: root(),
        ...(defaults.config === undefined ? {} : { config: defaults.config }),
        // The fake keeps its sessions under HOME: a folder of the test, never the user's.
        env: { HOME: at('home'), FAKE_AGENT_SCENARIO: scenario, FAKE_AGENT_RECORD: at('record.jsonl'), ...env },
        ...rest,
      });
      contexts.push(ctx);
      return ctx;
    },
    records: () =>
      readFileSync(at('record.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as FakeAgentRecord),
  };
}
