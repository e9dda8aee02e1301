import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorktreeManager } from '../../core/src/worktrees/worktree-manager.ts';
import { summarize, type LatencySummary } from '../stats.ts';
import { rawGit as git, timed } from '../raw-git.ts';
import { printTable } from '../table.ts';

const RUNS = 15;

export interface WorktreeReadyResult {
  files: number;
  megabytes: number;
  raw: LatencySummary;
  forge: LatencySummary;
  /** From the warm pool: a worktree an earlier attempt (10 files changed and committed) gave back. */
  pooled: LatencySummary;
  /** forge / raw, of the medians: the headline number. */
  ratioP50: number;
  ratioP95: number;
}



/**
 * 3. A ready worktree of the 2,000-file repository: plain `git worktree add` (the physical
 * limit of a new one) against WorktreeManager.create(), cold and from the warm pool (decision
 * 0042), interleaved with the order alternating so that none always runs on a cache another
 * just warmed.
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
  // A pool of one, given back the worktree of the run before, which changed and committed 10 files.
  const pooledManager = new WorktreeManager(join(workDir, 'pooled'), { poolSize: 1, nodeId: 'bench' });
  const pooled = async (i: number) => {
    const spec = { repoPath: repo, projectId: 'bench', attemptId: `pooled-${i}`, branch: `bench/pooled-${i}`, baseRef: 'main', nodeId: 'bench' };
    let path = '';
    const ms = await timed(async () => (path = await pooledManager.create(spec)));
    for (let f = 0; f < 10; f++) await writeFile(join(path, 'src', `pkg${f}`, 'mod0.ts'), `// changed by run ${i}\n`);
    await git(path, 'commit', '-qam', `run ${i}`);
    if ((await pooledManager.release({ repoPath: repo, projectId: 'bench', path, branch: spec.branch })) !== 'pooled') throw new Error('the pool did not take the worktree back');
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
  await pooledManager.pool.fill(repo, 'bench', 'main');
  await pooled(-1);
  const rawMs: number[] = [];
  const forgeMs: number[] = [];
  const pooledMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    if (i % 2 === 0) {
      rawMs.push(await raw(i));
      forgeMs.push(await forge(i));
      pooledMs.push(await pooled(i));
    } else {
      pooledMs.push(await pooled(i));
      forgeMs.push(await forge(i));
      rawMs.push(await raw(i));
    }
  }
  await pooledManager.pool.drain(repo, 'bench');
  await rm(workDir, { recursive: true, force: true });

  const rawSummary = summarize(rawMs);
  const forgeSummary = summarize(forgeMs);
  const result: WorktreeReadyResult = {
    files: repoInfo.files,
    megabytes: repoInfo.bytes / 1024 / 1024,
    raw: rawSummary,
    forge: forgeSummary,
    pooled: summarize(pooledMs),
    ratioP50: forgeSummary.p50 / rawSummary.p50,
    ratioP95: forgeSummary.p95 / rawSummary.p95,
  };
  printTable(
    `3. Worktree ready, ${result.files} files / ${result.megabytes.toFixed(1)} MB, ${RUNS} runs each, interleaved (ms)`,
    ['method', 'p50', 'p95', 'max', 'ratio p50', 'ratio p95'],
    [
      ['git worktree add (raw)', result.raw.p50, result.raw.p95, result.raw.max, 1, 1],
      ['WorktreeManager.create(), cold', result.forge.p50, result.forge.p95, result.forge.max, result.ratioP50, result.ratioP95],
      ['WorktreeManager.create(), from the warm pool', result.pooled.p50, result.pooled.p95, result.pooled.max, result.pooled.p50 / rawSummary.p50, result.pooled.p95 / rawSummary.p95],
    ],
  );
  return result;
}
