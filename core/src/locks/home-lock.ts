import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class HomeInUseError extends Error {
  override name = 'HomeInUseError';
}

export interface HomeLock {
  release(): void;
}

/**
 * One server process per FORGE_HOME: the process that opens its database holds `server.pid`,
 * created exclusively. Two servers on one database would each recover, schedule and clean up the
 * other's attempts. A file left by a process that is gone (a crash, a SIGKILL) is taken over.
 */
export function lockHome(home: string, describe: string): HomeLock {
  mkdirSync(home, { recursive: true });
  const file = join(home, 'server.pid');
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n${describe}\n`);
      closeSync(fd);
      return { release: () => ownedBy(file) === process.pid && rmSync(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const holder = ownedBy(file);
    if (holder !== null && holder !== process.pid && aliveForge(holder)) {
      const what = readFileSync(file, 'utf8').split('\n')[1] ?? '';
      throw new HomeInUseError(
        `Another Forge Core process (pid ${holder}${what ? `, ${what}` : ''}) uses ${home}; one process per FORGE_HOME. Stop it first, or give this one another FORGE_HOME.`,
      );
    }
    rmSync(file, { force: true });
  }
}

function ownedBy(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Whether the pid is a live process that may be Forge Core (after a crash its pid may have gone to another program). */
function aliveForge(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, as another user's process.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('forge');
  } catch {
    return true; // no /proc (macOS): a live pid is taken as the holder
  }
}
