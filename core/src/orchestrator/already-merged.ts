import { ForgeError } from '@forge-core/sdk';
import type { Attempt } from '../store/attempt-store.ts';

/**
 * The 409 for merging or following up an attempt that was merged: its work is final
 * (spec/decisions/0022), and going on is a new attempt, which starts from the base that holds it.
 */
export function alreadyMerged(attempt: Pick<Attempt, 'id' | 'baseBranch' | 'mergeCommit'>): ForgeError {
  return new ForgeError(
    'FORGE_ALREADY_MERGED',
    `Attempt ${attempt.id} was merged into ${attempt.baseBranch} as ${attempt.mergeCommit}; its work is final. To go on from ${attempt.baseBranch}, start a new attempt on the task (with "reopen": true, as the merge closed the task).`,
    { attemptId: attempt.id, mergeCommit: attempt.mergeCommit, baseBranch: attempt.baseBranch },
  );
}
