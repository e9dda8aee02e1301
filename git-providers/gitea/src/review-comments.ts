import type { ProviderContext, PullRequestRef, ReviewComment } from '@forge-core/sdk';
import { pullRequestName, repositoryUrl } from './gitea-api.ts';
import type { GiteaIssueComment, GiteaPullReview, GiteaPullReviewComment, GiteaUser } from './gitea-api-types.ts';
import { arrayItems, GITEA_PAGE_SIZE, listGitea } from './gitea-pages.ts';

/**
 * A review still being written is visible to its author only (the token's user) and says
 * nothing yet; it and its comments are left out until submitted.
 */
const UNSUBMITTED = 'PENDING';

/** Who wrote a comment: the account, else the author on the host a repository was migrated from. */
const authorOf = (user: GiteaUser | null | undefined, originalAuthor?: string) => user?.login || originalAuthor || 'ghost';

const isSubmitted = (review: GiteaPullReview): review is GiteaPullReview & { id: number } => review.state !== UNSUBMITTED && review.id !== undefined;

const timeOf = (comment: ReviewComment) => Date.parse(comment.createdAt) || 0;

const withUrl = (url: string | undefined) => (url ? { url } : {});

/** The line of an inline comment: on the new side of the diff, else on the old side for a removed line. */
function lineOf(comment: GiteaPullReviewComment): number | undefined {
  if (comment.position !== undefined && comment.position > 0) return comment.position;
  if (comment.original_position !== undefined && comment.original_position > 0) return comment.original_position;
  return undefined;
}

function inlineComment(comment: GiteaPullReviewComment): ReviewComment {
  const line = lineOf(comment);
  return {
    id: `review-comment-${comment.id}`,
    author: authorOf(comment.user),
    body: comment.body ?? '',
    createdAt: comment.created_at ?? '',
    ...(comment.path ? { path: comment.path } : {}),
    ...(line === undefined ? {} : { line }),
    ...withUrl(comment.html_url),
  };
}

/** A review's own text ("Request changes: …"), which Gitea does not list among the issue comments. */
function reviewSummary(review: GiteaPullReview): ReviewComment {
  return {
    id: `review-${review.id}`,
    author: authorOf(review.user),
    body: review.body ?? '',
    createdAt: review.submitted_at ?? '',
    ...withUrl(review.html_url),
  };
}

function conversationComment(comment: GiteaIssueComment): ReviewComment {
  return {
    id: `issue-comment-${comment.id}`,
    author: authorOf(comment.user, comment.original_author),
    body: comment.body ?? '',
    createdAt: comment.created_at ?? '',
    ...withUrl(comment.html_url),
  };
}

/**
 * Everything reviewers wrote on a pull request, oldest first: each submitted review's text and
 * its inline comments (`GET /pulls/{index}/reviews`, then `…/reviews/{id}/comments` for those
 * that have some), and the conversation's comments (`GET /issues/{index}/comments`). Ids carry
 * their kind, as reviews and comments are numbered apart.
 */
export async function listReviewComments(ref: PullRequestRef, ctx: ProviderContext): Promise<ReviewComment[]> {
  const { remote, number } = ref;
  const name = pullRequestName(remote, number);
  const reviews = await listGitea<GiteaPullReview>(ctx, {
    what: `listing the reviews of ${name}`,
    url: repositoryUrl(ctx, remote, ['pulls', number, 'reviews'], { limit: GITEA_PAGE_SIZE }),
    items: arrayItems,
  });
  const comments: ReviewComment[] = [];
  for (const review of reviews.filter(isSubmitted)) {
    if (review.body?.trim()) comments.push(reviewSummary(review));
    // Only a count the host states as 0 saves the request.
    if (review.comments_count === 0) continue;
    const inline = await listGitea<GiteaPullReviewComment>(ctx, {
      what: `listing the comments of review ${review.id} on ${name}`,
      url: repositoryUrl(ctx, remote, ['pulls', number, 'reviews', review.id, 'comments']),
      items: arrayItems,
    });
    comments.push(...inline.map(inlineComment));
  }
  const conversation = await listGitea<GiteaIssueComment>(ctx, {
    what: `listing the comments on ${name}`,
    url: repositoryUrl(ctx, remote, ['issues', number, 'comments']),
    items: arrayItems,
  });
  comments.push(...conversation.map(conversationComment));
  // A stable sort: comments written in the same second keep the order the host listed them in.
  return comments.sort((a, b) => timeOf(a) - timeOf(b));
}
