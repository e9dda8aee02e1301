import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 200;
const GIVE_UP_MS = 10 * 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Holds `<dir>/.lock` (a folder: creating one is atomic) while a build runs, so builds started
 * together (several `forgecore` starts after an edit) run one after another, and the later
 * ones find the build already fresh. A lock whose process is gone is taken over.
 */
export async function withBuildLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const lock = join(dir, '.lock');
  const owner = join(lock, 'pid');
  const deadline = Date.now() + GIVE_UP_MS;
  mkdirSync(dir, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readFileSync(owner, { encoding: 'utf8', flag: 'a+' }));
    // No pid yet: the holder is between its mkdir and its write; wait for it.
    if (holder > 0 && !alive(holder)) rmSync(lock, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`another build (pid ${holder}) holds ${lock}; remove it if no build runs`);
    else await sleep(POLL_MS);
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
