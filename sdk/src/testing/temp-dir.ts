import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TempDir {
  path: string;
  /** Removes the directory and everything in it. */
  cleanup(): Promise<void>;
}

/**
 * A fresh directory for one test, removed by `cleanup`. Resolved through realpath, so the paths a
 * test compares match the cwd a child process sees (macOS's /var is /private/var).
 */
export async function makeTempDir(prefix: string): Promise<TempDir> {
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), `${prefix}-`)));
  return { path: dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
