import type { ProviderContext, PullRequestRef, ReviewComment } from '@forge-core/sdk';
import { listAll, MAX_PAGE_SIZE, repoName, repoUrl } from './github-http.ts';

interface GitHubUser {
  login: string;
}

/** A comment on a line or a file of the diff (`pulls/{n}/comments`). */
interface GitHubDiffComment {
  id: number;
  user: GitHubUser | null;
  body: string;
  created_at: string;
  html_url: string;
  path: string;
  /** The line in the current diff; null once the comment is outdated, when `original_line` still says where it was. */
  line?: number | null;
  original_line?: number | null;
}

/** A comment on the conversation tab (`issues/{n}/comments`: every pull request is an issue). */
interface GitHubConversationComment {
  id: number;
  user: GitHubUser | null;
  body?: string;
  created_at: string;
  html_url: string;
}

/** A submitted review; its body is the summary a reviewer writes with "Request changes" or "Comment". */
interface GitHubReview {
  id: number;
  user: GitHubUser | null;
  body: string;
  state: string;
  submitted_at?: string;
  html_url: string;
}

// GitHub shows what a deleted account wrote as written by "ghost".
const authorOf = (user: GitHubUser | null) => user?.login ?? 'ghost';

function fromDiffComment(comment: GitHubDiffComment): ReviewComment {
  const line = comment.line ?? comment.original_line ?? undefined;
  return {
    id: `review:${comment.id}`,
    author: authorOf(comment.user),
    body: comment.body,
    createdAt: comment.created_at,
    path: comment.path,
    ...(line === undefined ? {} : { line }),
    url: comment.html_url,
  };
}

function fromConversationComment(comment: GitHubConversationComment): ReviewComment {
  return { id: `issue:${comment.id}`, author: authorOf(comment.user), body: comment.body ?? '', createdAt: comment.created_at, url: comment.html_url };
}

/** A review with something to say: an approval without text, or the reviewer's own unsubmitted draft (PENDING), says nothing. */
function fromReview(review: GitHubReview): ReviewComment[] {
  if (review.state === 'PENDING' || review.submitted_at === undefined || review.body.trim() === '') return [];
  return [{ id: `review-summary:${review.id}`, author: authorOf(review.user), body: review.body, createdAt: review.submitted_at, url: review.html_url }];
}

/**
 * Everything reviewers wrote on a pull request, oldest first: comments on the diff (with path and
 * line), comments on the conversation, and the summaries of submitted reviews. GitHub keeps these
 * in three lists with separate id sequences, so each id is prefixed with its kind.
 */
export async function listGitHubReviewComments(ref: PullRequestRef, ctx: ProviderContext): Promise<ReviewComment[]> {
  const of = `of pull request #${ref.number} of ${repoName(ref.remote)}`;
  const page = { per_page: MAX_PAGE_SIZE };
  // One list after another: GitHub asks clients to avoid concurrent requests (secondary rate limits).
  const onDiff = await listAll<GitHubDiffComment>(ctx, repoUrl(ctx, ref.remote, ['pulls', ref.number, 'comments'], page), `listing the review comments ${of}`);
  const onConversation = await listAll<GitHubConversationComment>(ctx, repoUrl(ctx, ref.remote, ['issues', ref.number, 'comments'], page), `listing the conversation comments ${of}`);
  const reviews = await listAll<GitHubReview>(ctx, repoUrl(ctx, ref.remote, ['pulls', ref.number, 'reviews'], page), `listing the reviews ${of}`);
  const comments = [...onDiff.map(fromDiffComment), ...onConversation.map(fromConversationComment), ...reviews.flatMap(fromReview)];
  // A stable sort: comments made in the same second keep GitHub's order.
  return comments.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
}
