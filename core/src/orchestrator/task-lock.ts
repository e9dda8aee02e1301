import { inTurn } from '../locks/in-turn.ts';

/**
 * Runs `work` holding the lock of one task: starting an attempt or a follow-up on it, closing it
 * and deleting it take turns. Without it, an attempt started while the task is being closed is
 * created after the close stopped the attempts it found, and then runs on a closed task whose
 * worktrees are being removed (or whose rows are being deleted).
 *
 * In this process only, like the attempt lock. Lock order: the task's, then its attempts'
 * (attempt-lock.ts), then the repository's, never the other way round.
 */
export function withTaskLock<T>(taskId: string, work: () => Promise<T>): Promise<T> {
  return inTurn(`task:${taskId}`, work);
}

/** Holds the locks of all these tasks (taken in id order, so two callers never wait on each other). */
export function withTaskLocks<T>(taskIds: readonly string[], work: () => Promise<T>): Promise<T> {
  return [...new Set(taskIds)].sort().reduceRight<() => Promise<T>>((inner, taskId) => () => withTaskLock(taskId, inner), work)();
}
