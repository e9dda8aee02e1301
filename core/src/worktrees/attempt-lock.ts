import { inTurn } from '../locks/in-turn.ts';

/**
 * Runs `work` holding the lock of one attempt's worktree and branch. The branch operations
 * (diff, rebase, merge) take it, and so does whatever removes the worktree or branch (closing or
 * deleting the task, the retention): otherwise a task closed during a diff pulls the worktree
 * from under git, and the diff fails half-way. Whoever takes it reads the attempt again inside.
 *
 * In this process only: an attempt's worktree lives on the node that ran it, and only that
 * node's server works on it. Lock order: this lock first, then the repository's locks
 * (repo-lock.ts), never the other way round.
 */
export function withAttemptLock<T>(attemptId: string, work: () => Promise<T>): Promise<T> {
  return inTurn(`attempt:${attemptId}`, work);
}
