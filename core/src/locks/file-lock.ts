import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { ForgeError } from '@forge-core/sdk';
import { inTurn } from './in-turn.ts';

const POLL_MS = 15;

export interface FileLockOptions {
  /** Named in the error when the lock is never granted: "the worktree lock ...". */
  what: string;
  waitLimitMs: number;
}

/**
 * Runs `work` holding the lock `lockFile`: an in-process queue, plus the lock file itself so that
 * another Forge process (a second server, the `forgecore` command) waits too. A lock file whose
 * owner pid is dead (the holder was killed) is taken over.
 *
 * The queue is one per process and keyed by the lock file, not by whatever path the caller
 * started from: two callers in one process must still wait for each other here, because the
 * lock file treats a lock naming this process's pid as left over from an earlier process.
 */
export async function withFileLock<T>(lockFile: string, work: () => Promise<T>, options: FileLockOptions): Promise<T> {
  return inTurn(`file:${lockFile}`, async () => {
    await acquireFile(lockFile, options.what, options.waitLimitMs);
    try {
      return await work();
    } finally {
      await rm(lockFile, { force: true });
    }
  });
}

async function acquireFile(file: string, what: string, waitLimitMs: number): Promise<void> {
  const deadline = Date.now() + waitLimitMs;
  // The lock appears with its owner's pid already in it: written to a private file first, then
  // hard-linked into place (atomic, and fails if the lock exists). Opening the lock itself and
  // then writing could leave an empty lock, with no owner to check, if we were killed between.
  const staged = `${file}.${process.pid}`; // one at a time per process: the in-process queue sees to it
  await writeFile(staged, String(process.pid));
  try {
    for (;;) {
      try {
        await link(staged, file);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (await ownerIsGone(file)) {
        await rm(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        const owner = (await readFile(file, 'utf8').catch(() => '')).trim();
        throw new ForgeError(
          'FORGE_LOCK_TIMEOUT',
          `The ${what} lock ${file} has been held by process ${owner || '(unknown)'} for over ${Math.round(waitLimitMs / 1000)} s; retry later. If that process is not a Forge server or command, delete the file.`,
          { lockFile: file, ownerPid: Number.parseInt(owner, 10) || null },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    await rm(staged, { force: true });
  }
}

async function ownerIsGone(file: string): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return false; // released meanwhile: try again
  const owner = Number.parseInt(text, 10);
  // Only a lock from before this scheme (or written by hand) has no pid: nobody can own it.
  if (!Number.isInteger(owner) || owner <= 0) return true;
  // The process-wide queue already admitted us, so a file naming our own pid was left by an
  // earlier process that had the same pid (pids repeat across restarts in containers).
  if (owner === process.pid) return true;
  try {
    process.kill(owner, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
