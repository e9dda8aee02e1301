import { HAS_PROC, lineage, pidsWithEnvironmentEntry } from './process-table.ts';

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
  const entries = new Set(values.map((value) => `${marker}=${value}`));
  const spared = await lineage(process.pid);
  const killed = new Set<number>();
  const deadline = Date.now() + SWEEP_BOUND_MS;
  for (;;) {
    const found = (await pidsWithEnvironmentEntry(entries)).filter((pid) => !spared.has(pid));
    if (found.length === 0 || Date.now() > deadline) return killed.size;
    for (const pid of found) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      } catch {
        // it ended meanwhile
      }
    }
    await new Promise((resolve) => setTimeout(resolve, PASS_INTERVAL_MS));
  }
}
