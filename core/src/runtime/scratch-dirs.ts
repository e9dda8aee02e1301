import { mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Private folders for agent runs (`ctx.scratchDir`): config files a CLI needs for one run, such
 * as its MCP configuration, which may hold tokens. One per run under the server's home, mode
 * 0700, removed when the run ends; what a crash left behind goes at the next housekeeping.
 */
export class ScratchDirs {
  constructor(private readonly root: string) {}

  /** A fresh, empty folder for one process of an attempt. */
  async create(attemptId: string, processId: string): Promise<string> {
    const dir = join(this.root, attemptId, processId);
    await mkdir(join(this.root, attemptId), { recursive: true, mode: 0o700 });
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { mode: 0o700 });
    return dir;
  }

  async remove(attemptId: string, processId: string): Promise<void> {
    await rm(join(this.root, attemptId, processId), { recursive: true, force: true });
    await rmdir(join(this.root, attemptId)).catch(() => undefined); // only once empty: another run of it may be using it
  }

  /** Removes the folders of every attempt this server is not running; returns how many went. */
  async sweep(isActive: (attemptId: string) => boolean): Promise<number> {
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch {
      return 0; // no run has made one yet
    }
    const stale = entries.filter((attemptId) => !isActive(attemptId));
    await Promise.all(stale.map((attemptId) => rm(join(this.root, attemptId), { recursive: true, force: true })));
    return stale.length;
  }
}
