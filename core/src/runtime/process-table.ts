import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/** Whether the system shows its processes under /proc (Linux). macOS does not. */
export const HAS_PROC = existsSync('/proc/self/environ');

/**
 * When `pid` started, as an opaque token, or null when no such process runs. A pid with its
 * start time names one process: a pid the kernel has since recycled for another has another.
 */
export async function processStartTime(pid: number): Promise<string | null> {
  if (HAS_PROC) {
    // Field 22 is the start time in clock ticks since boot (index 19 after the command).
    return statFields(pid).then((fields) => fields?.[19] ?? null);
  }
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'lstart=', '-p', String(pid)], (error, stdout) => resolve(error ? null : stdout.trim() || null));
  });
}

/** `pid` and every ancestor of it up to init, read from /proc. */
export async function lineage(pid: number): Promise<Set<number>> {
  const chain = new Set<number>();
  for (let current = pid; current > 0 && !chain.has(current); ) {
    chain.add(current);
    const fields = await statFields(current);
    current = fields ? Number(fields[1]) : 0;
  }
  return chain;
}

/**
 * Pids of the processes whose environment holds exactly one of `entries` ("NAME=value"): one
 * pass over /proc however many entries are looked for. Processes of other users, and those that
 * made themselves unreadable, cannot be read and are not listed; a zombie has no environment
 * left and is not listed either.
 */
export async function pidsWithEnvironmentEntry(entries: ReadonlySet<string>): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const matches = await Promise.all(
    pids.map(async (pid) => {
      const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
      return environ.split('\0').some((entry) => entries.has(entry));
    }),
  );
  return pids.filter((_, i) => matches[i]);
}

/** The fields of /proc/<pid>/stat after the command (state, ppid, pgrp, …), or null. */
async function statFields(pid: number): Promise<string[] | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  // The command may itself hold spaces and parentheses; it ends at the last ')'.
  return stat === null ? null : stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
