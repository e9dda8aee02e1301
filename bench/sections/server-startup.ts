import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { builtScopeDir } from '../../scripts/build-inputs.mjs';
import { readRssMb } from '../rss.ts';
import { WORKSPACE_ROOT, startArguments, startForge } from '../server-process.ts';
import { summarize, type LatencySummary } from '../stats.ts';
import { printTable } from '../table.ts';

interface StartupSample {
  spawnToHealthyMs: LatencySummary;
  idleRssMb: LatencySummary;
}

export interface ServerStartupResult extends StartupSample {
  starts: number;
  /** The built package's own bin, as an install of the packages runs it (no freshness check of the sources). */
  installedBin: StartupSample;
  /** The same server from its TypeScript sources through tsx: how it started before it was compiled. */
  fromSources: StartupSample;
  /** node:http alone, and hapi with the server's required dependencies loaded: the floors. */
  bareNode: StartupSample;
  dependenciesOnly: StartupSample;
}

const STARTS = 5;
const SETTLE_MS = 1_000;

/** Spawn to first healthy answer, then RSS once idle, over fresh starts (each with an empty FORGE_HOME). */
async function measureStarts(tempRoot: string, nodeArguments: string[]): Promise<StartupSample> {
  const healthyMs: number[] = [];
  const rssMb: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const home = await mkdtemp(join(tempRoot, 'startup-home-'));
    const server = await startForge(home, {}, nodeArguments);
    try {
      healthyMs.push(server.spawnToHealthyMs);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      rssMb.push(readRssMb(server.pid));
    } finally {
      await server.stop();
      await rm(home, { recursive: true, force: true });
    }
  }
  return { spawnToHealthyMs: summarize(healthyMs), idleRssMb: summarize(rssMb) };
}

/** 6. Server start-up as `npm start` runs it (compiled), beside the sources through tsx and the floors. */
export async function benchServerStartup(tempRoot: string): Promise<ServerStartupResult> {
  const npmStart = startArguments();
  const nodeFlags = npmStart.filter((arg) => arg.startsWith('--'));
  const floors = join(WORKSPACE_ROOT, 'bench', 'floor-servers.mjs');
  const compiled = await measureStarts(tempRoot, npmStart);
  const installedBin = await measureStarts(tempRoot, [...nodeFlags, join(builtScopeDir(), 'core', 'bin', 'forge.js'), 'serve']);
  const fromSources = await measureStarts(tempRoot, [...nodeFlags, '--import', 'tsx', join(WORKSPACE_ROOT, 'core', 'src', 'cli', 'main.ts'), 'serve']);
  const bareNode = await measureStarts(tempRoot, [...nodeFlags, floors, 'bare']);
  const dependenciesOnly = await measureStarts(tempRoot, [...nodeFlags, floors, 'deps']);
  const result: ServerStartupResult = { starts: STARTS, ...compiled, installedBin, fromSources, bareNode, dependenciesOnly };
  const rows = ([
    ['npm start (compiled; the launcher checks the build first)', compiled],
    ['the built bin, as an install runs it', installedBin],
    ['the sources through tsx', fromSources],
    ['floor: node:http alone', bareNode],
    ['floor: hapi + joi + knex/better-sqlite3 + pino + prom-client', dependenciesOnly],
  ] as const).flatMap(([name, sample]) => [
    [`${name}: spawn -> first healthy (ms)`, sample.spawnToHealthyMs.p50, sample.spawnToHealthyMs.max, sample.spawnToHealthyMs.min],
    [`${name}: idle RSS ${SETTLE_MS} ms after (MB)`, sample.idleRssMb.p50, sample.idleRssMb.max, sample.idleRssMb.min],
  ]);
  printTable(`6. Server start-up, ${STARTS} fresh starts each (empty FORGE_HOME)`, ['measure', 'p50', 'max', 'min'], rows);
  return result;
}
