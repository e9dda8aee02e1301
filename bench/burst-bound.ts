import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fakeClaudeInvocation } from '../plugins/executor-fake-agent/src/fake-claude-invocation.ts';
import { summarize } from './stats.ts';
import { rawGit as git, timed } from './raw-git.ts';

/** The CPU-bound parts of one attempt, each run alone (p50 of `runs`), and what 50 of them cost on this machine's cores. */
export interface BurstBound {
  runs: number;
  /** `git worktree add --no-checkout` + `git reset --hard`, as WorktreeManager.create() runs them. */
  worktreeMs: number;
  /** The fake agent's CLI, spawned as the fake-agent executor spawns it, in a fresh worktree, to its exit. */
  agentMs: number;
  /** `git add --all` + `git commit`: the fewest git processes that commit an agent's work. */
  commitMs: number;
  cores: number;
  /** attempts × (sum of the three p50s) / cores. */
  boundMs: number;
}



/** Runs the fake CLI with the executor's own command line, environment and prompt; resolves at its exit with all output read. */
function runFakeAgent(cwd: string, prompt: string): Promise<void> {
  // The options an attempt started with `options: {}` runs with: the descriptors' defaults.
  const invocation = fakeClaudeInvocation(prompt, { scenario: 'success', delayMs: 0, ignoreSigterm: false, model: undefined, rateLimitedRuns: undefined, rateLimitResetMs: undefined });
  return new Promise((resolve, reject) => {
    const child = spawn(invocation.command, invocation.args, {
      cwd,
      env: { ...process.env, ...invocation.spawnOptions.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout.resume();
    child.stderr.resume();
    child.stdin.end(invocation.spawnOptions.stdin ?? '');
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`the fake agent exited with ${code}`))));
  });
}

/** Each part's time of each run, in ms. */
export interface PartSamples {
  worktreeMs: number[];
  agentMs: number[];
  commitMs: number[];
}

/**
 * Each CPU-bound part of one attempt timed alone on `repo`, one at a time, `runs` times, in the
 * order an attempt runs them (a worktree, the agent in it, the commit of its work). The worktree
 * and its branch are removed after each run, untimed. `first` numbers the runs' branches.
 */
export async function measureBurstParts(repo: string, baseRef: string, workDir: string, runs: number, first: number, prompt: (i: number) => string): Promise<PartSamples> {
  const samples: PartSamples = { worktreeMs: [], agentMs: [], commitMs: [] };
  // One unmeasured run first: the page cache and git's and node's own start-up.
  for (let i = -1; i < runs; i++) {
    const n = first + i + 1;
    const path = join(workDir, `bound-${n}`);
    const branch = `bench/bound-${n}`;
    const worktree = await timed(async () => {
      await git(repo, 'worktree', 'add', '--no-checkout', '--no-track', '--lock', '--reason', 'bench', '-B', branch, path, baseRef);
      await git(path, 'reset', '--hard', '--quiet');
    });
    const agent = await timed(() => runFakeAgent(path, prompt(n)));
    const commit = await timed(async () => {
      await git(path, 'add', '--all');
      await git(path, '-c', 'user.name=Forge Bench', '-c', 'user.email=bench@localhost', 'commit', '--quiet', '--no-verify', '-m', 'bench');
    });
    await git(repo, 'worktree', 'remove', '-f', '-f', path);
    await git(repo, 'branch', '-D', branch);
    if (i < 0) continue;
    samples.worktreeMs.push(worktree);
    samples.agentMs.push(agent);
    samples.commitMs.push(commit);
  }
  await rm(workDir, { recursive: true, force: true });
  return samples;
}

/** The physical limit of `attempts` attempts: each part's p50 over all `samples`, their sum spread evenly over the cores. */
export function burstBound(samples: readonly PartSamples[], attempts: number): BurstBound {
  const p50 = (part: keyof PartSamples) => summarize(samples.flatMap((s) => s[part])).p50;
  const parts = { worktreeMs: p50('worktreeMs'), agentMs: p50('agentMs'), commitMs: p50('commitMs') };
  const cores = availableParallelism();
  return { runs: samples.reduce((sum, s) => sum + s.worktreeMs.length, 0), ...parts, cores, boundMs: (attempts * (parts.worktreeMs + parts.agentMs + parts.commitMs)) / cores };
}

/** CPU time (ms) a process spent itself and in the children it has waited for (git, agents), from /proc/<pid>/stat. */
export function cpuTimes(pid: number): { ownMs: number; childrenMs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command (which may hold spaces): utime, stime, cutime, cstime are 14–17, in clock ticks.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  const tick = 1000 / CLOCK_TICKS_PER_SECOND;
  return { ownMs: (fields[11]! + fields[12]!) * tick, childrenMs: (fields[13]! + fields[14]!) * tick };
}

// USER_HZ: 100 on every Linux the bench runs on (getconf CLK_TCK).
const CLOCK_TICKS_PER_SECOND = 100;
