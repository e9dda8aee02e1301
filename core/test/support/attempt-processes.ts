import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Pids of the running processes whose environment carries `FORGE_ATTEMPT_ID=<attemptId>`, read
 * from /proc by the test itself rather than through the code under test. A zombie (killed, not
 * yet reaped by a container's pid 1) has no environment left and runs no more, so it is not listed.
 */
export function processesOfAttempt(attemptId: string): number[] {
  const entry = `FORGE_ATTEMPT_ID=${attemptId}`;
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => read(() => readFileSync(`/proc/${pid}/environ`, 'latin1'))?.split('\0').includes(entry))
    .map(Number);
}

/** Pids of the running (not zombie) processes of process group `pgid`. */
export function processesInGroup(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      const stat = read(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
      // Fields after the parenthesised command: state, ppid, pgrp, …
      const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
      return fields !== undefined && Number(fields[2]) === pgid && fields[0] !== 'Z';
    })
    .map(Number);
}

/** Each process as "pid command (cwd)", for failure messages. */
export function describeProcesses(pids: readonly number[]): string {
  return pids
    .map((pid) => {
      const command = read(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim());
      return `${pid} ${command} (${read(() => readlinkSync(`/proc/${pid}/cwd`))})`;
    })
    .join('; ');
}

/**
 * Waits until no process carries the attempt's marker. The bound is generous, far above the
 * time a kill takes, and far below the lifetime of the `sleep 300` the tests leave behind.
 */
export async function waitUntilNoProcessOf(attemptId: string, boundMs = 60_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const left = processesOfAttempt(attemptId);
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`processes of attempt ${attemptId} still run: ${describeProcesses(left)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Kills, by pid, whatever a test's attempts left running, so a failed test leaves nothing behind. */
export function killProcessesOf(attemptIds: Iterable<string>): void {
  for (const id of attemptIds) {
    for (const pid of processesOfAttempt(id)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

function read<T>(reader: () => T): T | null {
  try {
    return reader();
  } catch {
    return null;
  }
}
