import { HAS_PROC, lineage, pidsWithEnvironmentEntry } from './process-table.ts';
import { SweepBatcher } from './sweep-batcher.ts';

/**
 * Every process the host starts for an attempt has this variable, set to the attempt's id, in
 * its environment. Descendants inherit it whatever they do to their cwd, process group or
 * session, so it finds what a process group alone would miss (spec/decisions/0016).
 */
export const ATTEMPT_MARKER = 'FORGE_ATTEMPT_ID';

// A process may fork between our reading /proc and our kill; passes repeat until one finds
// nothing, within this bound (a fork loop faster than the sweep is given up on, not chased).
const SWEEP_BOUND_MS = 5_000;
const PASS_INTERVAL_MS = 10;
// Attempts that end while a sweep runs are swept together by the next one.
const batcher = new SweepBatcher(sweep);

/**
 * SIGKILLs every process that carries the marker of one of these attempts, never this server
 * or one of its ancestors (a server started from inside an attempt inherits that attempt's
 * marker). Returns
 * how many processes it killed, or null where there is no /proc to search (macOS): there only
 * the process groups the host recorded can be killed.
 */
export async function killAttemptProcesses(attemptIds: readonly string[]): Promise<number | null> {
  return killMarkedProcesses(ATTEMPT_MARKER, attemptIds);
}

/** The same sweep for another marker (a dev server's): every process whose `marker` is one of `values`. */
export async function killMarkedProcesses(marker: string, values: readonly string[]): Promise<number | null> {
  if (!HAS_PROC) return null;
  if (values.length === 0) return 0;
  return batcher.request(values.map((value) => `${marker}=${value}`));
}

/** SIGKILLs every process holding one of `entries`, pass after pass until one finds none (or the bound). */
async function sweep(entries: ReadonlySet<string>): Promise<Map<string, number>> {
  const spared = await lineage(process.pid);
  const killed = new Map<number, string>();
  const deadline = Date.now() + SWEEP_BOUND_MS;
  for (;;) {
    const found = [...(await pidsWithEnvironmentEntry(entries))].filter(([pid]) => !spared.has(pid));
    if (found.length === 0 || Date.now() > deadline) break;
    for (const [pid, entry] of found) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.set(pid, entry);
      } catch {
        // it ended meanwhile
      }
    }
    await new Promise((resolve) => setTimeout(resolve, PASS_INTERVAL_MS));
  }
  const byEntry = new Map<string, number>();
  for (const entry of killed.values()) byEntry.set(entry, (byEntry.get(entry) ?? 0) + 1);
  return byEntry;
}
