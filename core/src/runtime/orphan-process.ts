import { processStartTime } from './process-table.ts';

/**
 * Kills the process group a previous server started and left running when it died (agents run
 * in their own groups, so they outlive a killed server). `pid` led the group; its start time,
 * recorded at spawn, must still match, so a recycled pid belonging to someone else is left
 * alone. The leader was spawned as a session leader, which cannot move to another group, so a
 * matching leader still names our group.
 */
export async function killOrphanGroup(pid: number, startTime: string): Promise<boolean> {
  if ((await processStartTime(pid)) !== startTime) return false;
  try {
    process.kill(-pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
