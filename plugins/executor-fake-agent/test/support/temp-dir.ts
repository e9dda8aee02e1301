import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A fresh directory per test, removed by `cleanup`. Resolved through realpath so the paths a test
 * compares match the cwd the child process sees.
 */
export async function makeTempDir(prefix: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), `${prefix}-`)));
  return { path: dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
