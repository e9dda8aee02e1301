import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export class HomeInUseError extends Error {
  override name = 'HomeInUseError';
}

export interface HomeLock {
  release(): void;
}

/**
 * One server process per FORGE_HOME: two servers on one database would each recover, schedule
 * and clean up the other's attempts. The lock is SQLite's own exclusive lock on `server.lock`,
 * held by an open transaction for the process's life: taking it is atomic, and the operating
 * system drops it when the process ends however it ends, so nothing is ever stale. `server.pid`
 * only says who holds it, for the message.
 */
export function lockHome(home: string, describe: string): HomeLock {
  mkdirSync(home, { recursive: true });
  const lock = new Database(join(home, 'server.lock'), { timeout: 0 });
  try {
    lock.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    const [pid, what] = holder(home);
    throw new HomeInUseError(
      `Another Forge Core process${pid ? ` (pid ${pid}${what ? `, ${what}` : ''})` : ''} uses ${home}; one process per FORGE_HOME. Stop it first, or give this one another FORGE_HOME.`,
    );
  }
  const info = join(home, 'server.pid');
  writeFileSync(info, `${process.pid}\n${describe}\n`, { mode: 0o600 });
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      rmSync(info, { force: true });
      lock.exec('ROLLBACK');
      lock.close();
    },
  };
}

function holder(home: string): [string, string] {
  try {
    const [pid = '', what = ''] = readFileSync(join(home, 'server.pid'), 'utf8').split('\n');
    return [pid, what];
  } catch {
    return ['', ''];
  }
}
