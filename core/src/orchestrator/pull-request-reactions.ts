import type { ChecksReport, ReviewComment } from '@forge-core/sdk';
import type { PullRequestReactions } from '../store/project-store.ts';
import type { PullRequestChanges, PullRequestRecord } from '../store/pull-request-store.ts';
import { checksFailedPrompt, reviewCommentsPrompt } from './pull-request-text.ts';

export type ReactionReason = 'checks' | 'review';

/** Review comments one follow-up carries at most, in characters; the rest wait for the next one. */
export const REVIEW_PROMPT_BUDGET = 60_000;

/** The oldest new comments that fit in one follow-up (the first always does, shortened if need be). */
function fitInOnePrompt(comments: ReviewComment[]): ReviewComment[] {
  const taken: ReviewComment[] = [];
  let size = 0;
  for (const comment of comments) {
    size += comment.body.length + (comment.path?.length ?? 0) + 64;
    if (taken.length > 0 && size > REVIEW_PROMPT_BUDGET) break;
    taken.push(comment);
  }
  return taken;
}

export type ReactionDecision =
  | { kind: 'none' }
  | { kind: 'follow-up'; reason: ReactionReason; prompt: string; changes: PullRequestChanges }
  | { kind: 'budget-spent'; reason: ReactionReason; changes: PullRequestChanges };

export interface ReactionInput {
  record: PullRequestRecord;
  settings: PullRequestReactions | null;
  checks: ChecksReport | null;
  comments: readonly ReviewComment[] | null;
  /** The attempt is not running: a follow-up can be queued. */
  attemptFinished: boolean;
  at: string;
}

/**
 * What a poll's findings set off, if anything: a failed check on a head commit not answered yet,
 * or review comments not seen yet, becomes one follow-up (checks first), while the attempt's
 * budget lasts. One reaction at a time: none while the agent still runs or its work is not pushed.
 * Once the budget is spent a person is told, once.
 */
export function decideReaction({ record, settings, checks, comments, attemptFinished, at }: ReactionInput): ReactionDecision {
  if (!settings || record.state !== 'open' || record.reactionPending !== null || !attemptFinished) return { kind: 'none' };
  const failedChecks = settings.ciFailure && checks?.state === 'failure' && checks.sha !== record.answeredFailureSha ? checks : null;
  const seen = new Set(record.seenCommentIds);
  const fresh = settings.reviewComments ? fitInOnePrompt((comments ?? []).filter((comment) => !seen.has(comment.id))) : [];
  const reason: ReactionReason | null = failedChecks ? 'checks' : fresh.length > 0 ? 'review' : null;
  if (reason === null) return { kind: 'none' };
  if (record.reactionsUsed >= settings.maxFollowUps) {
    return record.budgetSpentAt === null ? { kind: 'budget-spent', reason, changes: { budgetSpentAt: at } } : { kind: 'none' };
  }
  const spent = { reactionsUsed: record.reactionsUsed + 1, reactionPending: reason };
  if (failedChecks) {
    const failed = failedChecks.checks.filter((check) => check.state === 'failure');
    return { kind: 'follow-up', reason, prompt: checksFailedPrompt(record.url, failedChecks.sha, failed), changes: { ...spent, answeredFailureSha: failedChecks.sha } };
  }
  return {
    kind: 'follow-up',
    reason,
    prompt: reviewCommentsPrompt(record.url, fresh),
    changes: { ...spent, seenCommentIds: [...record.seenCommentIds, ...fresh.map((comment) => comment.id)] },
  };
}
