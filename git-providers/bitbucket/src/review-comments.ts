import type { ProviderContext, PullRequestRef, ReviewComment } from '@forge-core/sdk';
import type { BitbucketAccount, BitbucketComment } from './bitbucket-api-types.ts';
import { listAll, repositoryName, repositoryUrl } from './bitbucket-http.ts';

/** Bitbucket's largest page for comments. */
const COMMENT_PAGE_SIZE = 100;

/** The name people see; Bitbucket no longer sends `username` for most accounts (GDPR), so it comes last. */
const authorOf = (user: BitbucketAccount | undefined) => user?.display_name || user?.nickname || user?.username || user?.uuid || 'unknown';

const positiveLine = (line: number | null | undefined) => (Number.isInteger(line) && (line as number) > 0 ? (line as number) : undefined);

function toReviewComment(comment: BitbucketComment): ReviewComment | null {
  if (!Number.isInteger(comment.id)) return null;
  const path = comment.inline?.path;
  // `to` is the line in the new file; a comment on a removed line has only `from`, in the old file.
  const line = positiveLine(comment.inline?.to) ?? positiveLine(comment.inline?.from);
  const url = comment.links?.html?.href;
  return {
    id: String(comment.id),
    author: authorOf(comment.user),
    body: comment.content?.raw ?? '',
    createdAt: comment.created_on ?? '',
    ...(typeof path === 'string' && path !== '' ? { path } : {}),
    ...(line === undefined ? {} : { line }),
    ...(typeof url === 'string' && url !== '' ? { url } : {}),
  };
}

/** Oldest first, as Bitbucket lists them by default; times compared as instants (offsets differ), ties by id. */
const byCreation = (a: ReviewComment, b: ReviewComment) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || Number(a.id) - Number(b.id);

/**
 * Every comment on the pull request, general and inline, replies included, all pages, oldest
 * first. A deleted comment can stay in Bitbucket's list, flagged `deleted` with its text gone; it is left out.
 */
export async function listReviewComments(ref: PullRequestRef, ctx: ProviderContext): Promise<ReviewComment[]> {
  const what = `listing the comments of pull request #${ref.number} of ${repositoryName(ref.remote)}`;
  const url = repositoryUrl(ctx, ref.remote, ['pullrequests', ref.number, 'comments'], [['pagelen', COMMENT_PAGE_SIZE]]);
  const comments = await listAll<BitbucketComment>(ctx, url, what);
  return comments
    .filter((comment) => comment.deleted !== true)
    .map(toReviewComment)
    .filter((comment): comment is ReviewComment => comment !== null)
    .sort(byCreation);
}
