import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readRssMb } from '../rss.ts';
import { startForge } from '../server-process.ts';
import { summarize, type LatencySummary } from '../stats.ts';
import { printTable } from '../table.ts';

export interface ServerStartupResult {
  starts: number;
  spawnToHealthyMs: LatencySummary;
  idleRssMb: LatencySummary;
}

const STARTS = 5;
const SETTLE_MS = 1_000;

/** 6. Fresh servers (each with an empty FORGE_HOME): spawn to first healthy answer, then RSS once idle. */
export async function benchServerStartup(tempRoot: string): Promise<ServerStartupResult> {
  const healthyMs: number[] = [];
  const rssMb: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const home = await mkdtemp(join(tempRoot, 'startup-home-'));
    const server = await startForge(home);
    try {
      healthyMs.push(server.spawnToHealthyMs);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      rssMb.push(readRssMb(server.pid));
    } finally {
      await server.stop();
      await rm(home, { recursive: true, force: true });
    }
  }
  const result: ServerStartupResult = { starts: STARTS, spawnToHealthyMs: summarize(healthyMs), idleRssMb: summarize(rssMb) };
  printTable(
    `6. Server start-up, ${STARTS} fresh starts (empty FORGE_HOME)`,
    ['measure', 'p50', 'max', 'min'],
    [
      ['spawn -> first healthy response (ms)', result.spawnToHealthyMs.p50, result.spawnToHealthyMs.max, result.spawnToHealthyMs.min],
      [`idle RSS ${SETTLE_MS} ms after healthy (MB)`, result.idleRssMb.p50, result.idleRssMb.max, result.idleRssMb.min],
    ],
  );
  return result;
}
