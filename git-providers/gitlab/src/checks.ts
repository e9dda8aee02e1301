import type { Check, CheckState, ChecksReport, ProviderContext, PullRequestRef } from '@forge-core/sdk';
import type { GitLabCiStatus, GitLabCommitStatus, GitLabPipeline } from './api-types.ts';
import { readMergeRequest } from './merge-requests.ts';
import { projectPath, projectUrl, readAllPages, request, unexpectedAnswer } from './gitlab-api.ts';

/** What a pipeline's or job's status means for the merge request (docs.gitlab.com/api/pipelines). */
const CHECK_STATES: Readonly<Record<GitLabCiStatus, CheckState>> = {
  created: 'pending',
  waiting_for_resource: 'pending',
  preparing: 'pending',
  waiting_for_callback: 'pending',
  pending: 'pending',
  running: 'pending',
  // A delayed job (`when: delayed`) runs by itself at its time.
  scheduled: 'pending',
  success: 'success',
  failed: 'failure',
  canceling: 'failure',
  canceled: 'failure',
  skipped: 'skipped',
  // A manual job runs only when someone starts it; it does not hold the pipeline up.
  manual: 'skipped',
};

/** A check's summary is fed to an agent: a few KB say why, more only costs its context. */
const SUMMARY_LIMIT = 2048;

/** A status GitLab added after this pack was written is not a result yet. */
const checkStateOf = (status: string | null | undefined): CheckState =>
  status != null && Object.hasOwn(CHECK_STATES, status) ? CHECK_STATES[status as GitLabCiStatus] : 'pending';

function summaryOf(description: string | null | undefined): string | undefined {
  const text = description?.trim();
  if (text === undefined || text === '') return undefined;
  return text.length > SUMMARY_LIMIT ? `${text.slice(0, SUMMARY_LIMIT - 1)}…` : text;
}

function jobCheck(status: GitLabCommitStatus): Check {
  let state = checkStateOf(status.status);
  // GitLab passes the pipeline "with warnings" when such a job fails: it blocks nothing.
  if (state === 'failure' && status.allow_failure === true) state = 'skipped';
  const summary = state === 'failure' ? summaryOf(status.description) : undefined;
  return {
    name: status.name ?? `status ${status.id}`,
    state,
    ...(status.target_url ? { url: status.target_url } : {}),
    ...(summary === undefined ? {} : { summary }),
  };
}

/**
 * The newest status per name: the statuses endpoint lists the latest try of each job, but of every
 * pipeline on the commit, and a branch pipeline and a merge request pipeline can both run "test".
 */
function newestPerName(statuses: readonly GitLabCommitStatus[]): GitLabCommitStatus[] {
  const byName = new Map<string, GitLabCommitStatus>();
  for (const status of statuses) {
    const key = status.name ?? `status ${status.id}`;
    const seen = byName.get(key);
    if (seen === undefined || status.id > seen.id) byName.set(key, status);
  }
  return [...byName.values()].sort((a, b) => a.id - b.id);
}

function overallState(checks: readonly Check[]): ChecksReport['state'] {
  if (checks.length === 0) return 'none';
  if (checks.some((check) => check.state === 'failure')) return 'failure';
  if (checks.some((check) => check.state === 'pending')) return 'pending';
  return 'success';
}

/**
 * The merge request's pipelines, newest first, one page only: only the newest pipeline on the head
 * commit is wanted, and the head commit's pipelines are the newest. GitLab paginates this list,
 * but the recorded API declares no `page`/`per_page` for it, so none is sent.
 */
async function newestPipelines(ref: PullRequestRef, ctx: ProviderContext): Promise<GitLabPipeline[]> {
  const what = `reading the pipelines of merge request !${ref.number} of ${projectPath(ref.remote)}`;
  const body = await request(ctx, projectUrl(ctx, ref.remote, ['merge_requests', ref.number, 'pipelines']), what, 200);
  if (!Array.isArray(body)) throw unexpectedAnswer(what, 'a list of pipelines');
  return body as GitLabPipeline[];
}

/**
 * The CI of the merge request's head commit: one check per job or external status on it, and the
 * newest merge request pipeline on that commit as a check of its own when none of its jobs is
 * listed (a pipeline still being created, or one GitLab failed before any job, such as an invalid
 * .gitlab-ci.yml). The job log is not read: its endpoint is outside the recorded API, so a failure's
 * summary is the status description GitLab gives, when it gives one.
 */
export async function readChecks(ref: PullRequestRef, ctx: ProviderContext): Promise<ChecksReport> {
  const mergeRequest = await readMergeRequest(ref, ctx);
  const sha = mergeRequest.sha;
  if (typeof sha !== 'string' || sha === '') return { state: 'none', sha: '', checks: [] };
  const project = projectPath(ref.remote);
  const pipelines = await newestPipelines(ref, ctx);
  const statuses = await readAllPages<GitLabCommitStatus>(
    ctx,
    projectUrl(ctx, ref.remote, ['repository', 'commits', sha, 'statuses']),
    `reading the commit statuses of ${sha.slice(0, 12)} in ${project}`,
  );
  const jobs = newestPerName(statuses);
  const checks = jobs.map(jobCheck);
  const pipeline = pipelines.filter((candidate) => candidate.sha === sha).sort((a, b) => b.id - a.id)[0];
  if (pipeline !== undefined && !jobs.some((job) => job.pipeline_id === pipeline.id)) {
    checks.unshift({ name: `pipeline #${pipeline.id}`, state: checkStateOf(pipeline.status), ...(pipeline.web_url ? { url: pipeline.web_url } : {}) });
  }
  return { state: overallState(checks), sha, checks };
}
