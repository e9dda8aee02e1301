import { readlink } from 'node:fs/promises';
import { sep } from 'node:path';

/**
 * Kills the process group a previous server started in `worktree` and left running when it
 * died (agents run in their own groups, so they outlive a killed server). The group leader's
 * cwd must still be inside the worktree: a recycled pid belonging to someone else is left alone.
 */
export async function killOrphanGroup(pid: number, worktree: string | null): Promise<boolean> {
  if (!worktree || !isAlive(pid)) return false;
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => null);
  if (cwd === null || (cwd !== worktree && !cwd.startsWith(worktree + sep))) return false;
  try {
    process.kill(-pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
