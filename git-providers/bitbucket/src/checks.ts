import type { Check, CheckState, ChecksReport, ProviderContext, PullRequestRef } from '@forge-core/sdk';
import type { BitbucketCommitStatus, BitbucketCommitStatusState } from './bitbucket-api-types.ts';
import { listAll, repositoryName, repositoryUrl, unexpectedAnswer } from './bitbucket-http.ts';
import { getPullRequest } from './pull-requests.ts';

/** Bitbucket's largest page for commit statuses. */
const STATUS_PAGE_SIZE = 100;

/** What an agent reads of a failure; a build's description is short, this only bounds a verbose one. */
const SUMMARY_MAX_CHARS = 2048;

/** A build someone stopped did not pass: the change is not shown to work. */
const CHECK_STATE_OF: Record<BitbucketCommitStatusState, CheckState> = {
  INPROGRESS: 'pending',
  SUCCESSFUL: 'success',
  FAILED: 'failure',
  STOPPED: 'failure',
};

const capped = (text: string) => (text.length > SUMMARY_MAX_CHARS ? `${text.slice(0, SUMMARY_MAX_CHARS - 1)}…` : text);

function toCheck(status: BitbucketCommitStatus): Check {
  // A state Bitbucket adds later is read as still running rather than as a verdict it did not give.
  const state = (status.state !== undefined && CHECK_STATE_OF[status.state]) || 'pending';
  const name = status.name || status.key || 'build';
  const summary = state === 'failure' && status.description ? capped(status.description) : undefined;
  return { name, state, ...(status.url ? { url: status.url } : {}), ...(summary === undefined ? {} : { summary }) };
}

/**
 * Whether a status was set on the head commit. The pull request gives a short hash and the status's
 * commit link the full one; a status without the link is the pull request's own and kept.
 */
function isOnCommit(status: BitbucketCommitStatus, sha: string): boolean {
  const href = status.links?.commit?.href;
  if (typeof href !== 'string') return true;
  const hash = /\/commit\/([0-9a-f]+)\/?$/i.exec(href)?.[1];
  return hash === undefined || hash.startsWith(sha) || sha.startsWith(hash);
}

function reportState(checks: readonly Check[]): ChecksReport['state'] {
  if (checks.length === 0) return 'none';
  if (checks.some((check) => check.state === 'failure')) return 'failure';
  if (checks.some((check) => check.state === 'pending')) return 'pending';
  return 'success';
}

/** The build statuses of the pull request's head commit (Bitbucket Pipelines and outside CI both report here). */
export async function getChecks(ref: PullRequestRef, ctx: ProviderContext): Promise<ChecksReport> {
  const pr = await getPullRequest(ref, ctx);
  const what = `listing the build statuses of pull request #${ref.number} of ${repositoryName(ref.remote)}`;
  if (pr.headSha === undefined) throw unexpectedAnswer(`reading pull request #${ref.number} of ${repositoryName(ref.remote)}`, 'a pull request with its head commit');
  const sha = pr.headSha;
  const url = repositoryUrl(ctx, ref.remote, ['pullrequests', ref.number, 'statuses'], [['pagelen', STATUS_PAGE_SIZE]]);
  const statuses = await listAll<BitbucketCommitStatus>(ctx, url, what);
  const checks = statuses.filter((status) => isOnCommit(status, sha)).map(toCheck);
  return { state: reportState(checks), sha, checks };
}
