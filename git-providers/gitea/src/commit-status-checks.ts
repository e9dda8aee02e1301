import type { Check, CheckState, ChecksReport, ProviderContext, PullRequestRef } from '@forge-core/sdk';
import { pullRequestName, repositoryUrl } from './gitea-api.ts';
import type { GiteaCombinedStatus, GiteaCommitStatus, GiteaCommitStatusState } from './gitea-api-types.ts';
import { GITEA_PAGE_SIZE, listGitea } from './gitea-pages.ts';
import { readPullRequest } from './pull-requests.ts';

/** A failure's summary is for a prompt, not an archive: the contract asks for a few KB at most. */
const SUMMARY_LIMIT = 2048;

/**
 * Gitea's commit status states. `warning` counts as a failure: Gitea ranks it below `pending`,
 * and a branch protected by required status checks merges only on `success`
 * (`IsPullCommitStatusPass`), so a warning keeps the pull request from finishing. A state this
 * table does not know reads as `pending`: it neither passes nor sends the agent to fix something.
 */
const CHECK_STATE: Record<GiteaCommitStatusState, CheckState> = {
  pending: 'pending',
  success: 'success',
  error: 'failure',
  failure: 'failure',
  warning: 'failure',
  skipped: 'skipped',
};

const isKnownState = (state: unknown): state is GiteaCommitStatusState => typeof state === 'string' && Object.hasOwn(CHECK_STATE, state);

function summaryOf(description: string): string {
  return description.length > SUMMARY_LIMIT ? `${description.slice(0, SUMMARY_LIMIT - 1)}…` : description;
}

/**
 * One status context (Gitea stores a status posted without one as "default"). Gitea gives no job
 * log through this API, so a failure's summary is the status's description.
 */
function toCheck(status: GiteaCommitStatus): Check {
  const state = isKnownState(status.status) ? CHECK_STATE[status.status] : 'pending';
  const description = status.description?.trim() ?? '';
  return {
    name: status.context || 'default',
    state,
    ...(status.target_url ? { url: status.target_url } : {}),
    ...(state === 'failure' && description !== '' ? { summary: summaryOf(description) } : {}),
  };
}

function reportOf(sha: string, checks: Check[]): ChecksReport {
  const state =
    checks.length === 0 ? 'none'
    : checks.some((check) => check.state === 'failure') ? 'failure'
    : checks.some((check) => check.state === 'pending') ? 'pending'
    : 'success';
  return { state, sha, checks };
}

/**
 * The pull request's head commit, then its combined status (`GET /commits/{sha}/status`): the
 * latest status of each context, which is what Gitea shows on the pull request and gates a merge on.
 */
export async function getChecks(ref: PullRequestRef, ctx: ProviderContext): Promise<ChecksReport> {
  const pr = await readPullRequest(ref, ctx);
  const sha = pr.head?.sha ?? '';
  if (sha === '') return reportOf('', []);
  const statuses = await listGitea<GiteaCommitStatus>(ctx, {
    what: `reading the commit statuses of ${pullRequestName(ref.remote, ref.number)} (commit ${sha})`,
    url: repositoryUrl(ctx, ref.remote, ['commits', sha, 'status'], { limit: GITEA_PAGE_SIZE }),
    items: (body) => (body as GiteaCombinedStatus | null)?.statuses ?? [],
  });
  return reportOf(sha, statuses.map(toCheck));
}
