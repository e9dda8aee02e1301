import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WorktreeManager } from '../../core/src/worktrees/worktree-manager.ts';
import { msSince, summarize, type LatencySummary } from '../stats.ts';
import { printTable } from '../table.ts';

const execFileAsync = promisify(execFile);
const RUNS = 15;
// Forge's git() runs with this locale too; the raw side gets it so only the commands differ.
const GIT_ENV = { ...process.env, LC_ALL: 'C', LANG: 'C' };

export interface WorktreeReadyResult {
  files: number;
  megabytes: number;
  raw: LatencySummary;
  forge: LatencySummary;
  /** forge / raw, of the medians: the headline number. */
  ratioP50: number;
  ratioP95: number;
}

function git(cwd: string, ...args: string[]) {
  return execFileAsync('git', args, { cwd, env: GIT_ENV });
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return msSince(start);
}

/**
 * 3. A ready worktree of the 2,000-file repository: plain `git worktree add` (the physical
 * limit) against WorktreeManager.create(), interleaved with the order alternating so that
 * neither side always runs on a cache the other just warmed.
 */
export async function benchWorktreeReady(repo: string, workDir: string, repoInfo: { files: number; bytes: number }): Promise<WorktreeReadyResult> {
  const manager = new WorktreeManager(join(workDir, 'forge'));
  const raw = async (i: number) => {
    const path = join(workDir, 'raw', `run-${i}`);
    const branch = `bench/raw-${i}`;
    const ms = await timed(() => git(repo, 'worktree', 'add', '--quiet', path, '-b', branch, 'main'));
    await git(repo, 'worktree', 'remove', '--force', path);
    await git(repo, 'branch', '-D', branch);
    return ms;
  };
  const forge = async (i: number) => {
    const spec = { repoPath: repo, projectId: 'bench', attemptId: `run-${i}`, branch: `bench/forge-${i}`, baseRef: 'main', nodeId: 'bench' };
    let path = '';
    const ms = await timed(async () => (path = await manager.create(spec)));
    await manager.remove({ repoPath: repo, path, branch: spec.branch });
    return ms;
  };

  // Unmeasured first runs: page cache, git's own start-up, and the manager's one-time lookups.
  await raw(-1);
  await forge(-1);
  const rawMs: number[] = [];
  const forgeMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    if (i % 2 === 0) {
      rawMs.push(await raw(i));
      forgeMs.push(await forge(i));
    } else {
      forgeMs.push(await forge(i));
      rawMs.push(await raw(i));
    }
  }
  await rm(workDir, { recursive: true, force: true });

  const rawSummary = summarize(rawMs);
  const forgeSummary = summarize(forgeMs);
  const result: WorktreeReadyResult = {
    files: repoInfo.files,
    megabytes: repoInfo.bytes / 1024 / 1024,
    raw: rawSummary,
    forge: forgeSummary,
    ratioP50: forgeSummary.p50 / rawSummary.p50,
    ratioP95: forgeSummary.p95 / rawSummary.p95,
  };
  printTable(
    `3. Worktree ready, ${result.files} files / ${result.megabytes.toFixed(1)} MB, ${RUNS} runs each, interleaved (ms)`,
    ['method', 'p50', 'p95', 'max', 'ratio p50', 'ratio p95'],
    [
      ['git worktree add (raw)', result.raw.p50, result.raw.p95, result.raw.max, 1, 1],
      ['WorktreeManager.create()', result.forge.p50, result.forge.p95, result.forge.max, result.ratioP50, result.ratioP95],
    ],
  );
  return result;
}
