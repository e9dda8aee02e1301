import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  git: string;
  loadAverage1m: number;
  /** `forgecore serve` processes this bench did not start: they share the CPUs and skew the numbers. */
  foreignForgeServers: number[];
}

function forgeServerPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return argv.some((arg) => arg.endsWith('bin/forge.js')) && argv.includes('serve');
      } catch {
        return false; // exited while we looked
      }
    })
    .map(Number);
}

/** Read before the bench starts anything, so every forgecore server found belongs to someone else. */
export function describeMachine(): MachineInfo {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    git: execFileSync('git', ['--version'], { encoding: 'utf8' }).trim(),
    loadAverage1m: loadavg()[0]!,
    foreignForgeServers: forgeServerPids(),
  };
}
