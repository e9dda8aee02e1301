import type { PullRequestReactions } from '../store/project-store.ts';
import type { PullRequestRecord } from '../store/pull-request-store.ts';

/** A pull request as the API, the MCP tools and the events show it. */
export function pullRequestView(record: PullRequestRecord, reactions: PullRequestReactions | null) {
  return {
    attemptId: record.attemptId,
    provider: record.provider,
    host: record.host,
    repository: `${record.owner}/${record.repo}`,
    number: record.number,
    url: record.url,
    state: record.state,
    draft: record.draft,
    title: record.title,
    head: record.head,
    base: record.base,
    headSha: record.headSha,
    checks: record.checks && { state: record.checks.state, sha: record.checks.sha, items: record.checks.items },
    reviewCommentsSeen: record.seenCommentIds.length,
    reactions: {
      enabled: reactions !== null && (reactions.ciFailure || reactions.reviewComments),
      used: record.reactionsUsed,
      max: reactions?.maxFollowUps ?? 0,
      pending: record.reactionPending,
      budgetSpentAt: record.budgetSpentAt,
    },
    lastError: record.error,
    polledAt: record.polledAt,
    nextPollAt: record.nextPollAt,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

export type PullRequestView = ReturnType<typeof pullRequestView>;
