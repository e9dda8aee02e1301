import type { Check, CheckState, ChecksReport, ProviderContext, PullRequestRef } from '@forge-core/sdk';
import { getResource, listAll, MAX_PAGE_SIZE, repoName, repoUrl, unexpectedAnswer } from './github-http.ts';
import { getGitHubPullRequest } from './pull-requests.ts';

/** The fields read from a check run (GitHub Actions jobs and other GitHub Apps report these). */
interface GitHubCheckRun {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  html_url: string | null;
  details_url?: string | null;
  output?: { title: string | null; summary: string | null; text: string | null; annotations_count: number };
}

/** The fields read from a commit status (the older API external CI services post to). */
interface GitHubCommitStatus {
  context: string;
  state: string;
  description: string | null;
  target_url: string | null;
}

interface GitHubAnnotation {
  path: string;
  start_line: number;
  annotation_level: string | null;
  title: string | null;
  message: string | null;
}

/** A failure's summary is fed to an agent with the rest of the report; a few KB says what broke without flooding it. */
const SUMMARY_LIMIT = 2048;

/**
 * GitHub's own rule for a required check: `success`, `neutral` and `skipped` let a pull request
 * merge, every other conclusion (failure, cancelled, timed_out, action_required, stale, …) blocks it.
 */
function checkRunState(run: GitHubCheckRun): CheckState {
  if (run.status !== 'completed' || run.conclusion === null) return 'pending';
  if (run.conclusion === 'success' || run.conclusion === 'neutral') return 'success';
  return run.conclusion === 'skipped' ? 'skipped' : 'failure';
}

/** A commit status is `error`, `failure`, `pending` or `success`. */
function statusState(status: GitHubCommitStatus): CheckState {
  if (status.state === 'success') return 'success';
  return status.state === 'error' || status.state === 'failure' ? 'failure' : 'pending';
}

function summaryOf(parts: readonly (string | null | undefined)[]): string | undefined {
  const text = parts
    .filter((part): part is string => typeof part === 'string' && part.trim() !== '')
    .map((part) => part.trim())
    .join('\n\n');
  if (text === '') return undefined;
  return text.length > SUMMARY_LIMIT ? `${text.slice(0, SUMMARY_LIMIT - 1)}…` : text;
}

const LEVEL_ORDER = ['failure', 'warning', 'notice'];
const levelRank = (annotation: GitHubAnnotation) => {
  const rank = LEVEL_ORDER.indexOf(annotation.annotation_level ?? '');
  return rank === -1 ? LEVEL_ORDER.length : rank;
};

/**
 * Where a GitHub Actions job says why it failed: its check run has no output text, only annotations
 * ("Process completed with exit code 1.", a problem matcher's compiler errors). One page is read:
 * the summary is capped at 2 KB, which a hundred annotations more than fill.
 */
async function annotationLines(ctx: ProviderContext, ref: PullRequestRef, run: GitHubCheckRun): Promise<string[]> {
  const what = `reading the annotations of check run "${run.name}" (${run.id}) of ${repoName(ref.remote)}`;
  const body = await getResource(ctx, repoUrl(ctx, ref.remote, ['check-runs', run.id, 'annotations'], { per_page: MAX_PAGE_SIZE }), what);
  if (!Array.isArray(body)) throw unexpectedAnswer(what, 'a list of annotations');
  return [...(body as GitHubAnnotation[])]
    .sort((a, b) => levelRank(a) - levelRank(b))
    .map((annotation) => `${annotation.path}:${annotation.start_line}: ${[annotation.title, annotation.message].filter(Boolean).join(': ')}`);
}

async function checkOfRun(ctx: ProviderContext, ref: PullRequestRef, run: GitHubCheckRun): Promise<Check> {
  const state = checkRunState(run);
  const url = run.html_url ?? run.details_url ?? undefined;
  const check: Check = { name: run.name, state, ...(url === undefined ? {} : { url }) };
  if (state !== 'failure') return check;
  const output = run.output;
  const annotations = (output?.annotations_count ?? 0) > 0 ? await annotationLines(ctx, ref, run) : [];
  const summary = summaryOf([output?.title, output?.summary, output?.text, annotations.join('\n')]);
  return summary === undefined ? check : { ...check, summary };
}

function checkOfStatus(status: GitHubCommitStatus): Check {
  const state = statusState(status);
  const summary = state === 'failure' ? summaryOf([status.description]) : undefined;
  return {
    name: status.context,
    state,
    ...(typeof status.target_url === 'string' ? { url: status.target_url } : {}),
    ...(summary === undefined ? {} : { summary }),
  };
}

/** `none` when nothing reported; any failure fails the report; any run still going keeps it pending. */
function reportState(checks: readonly Check[]): ChecksReport['state'] {
  if (checks.length === 0) return 'none';
  if (checks.some((check) => check.state === 'failure')) return 'failure';
  return checks.some((check) => check.state === 'pending') ? 'pending' : 'success';
}

/**
 * The checks of a pull request's head commit: its check runs (Checks API: GitHub Actions and other
 * apps) and its commit statuses (the combined status, the latest per context), reduced to one report.
 */
export async function getGitHubChecks(ref: PullRequestRef, ctx: ProviderContext): Promise<ChecksReport> {
  const pullRequest = await getGitHubPullRequest(ref, ctx);
  const sha = pullRequest.headSha;
  if (sha === undefined) throw unexpectedAnswer(`reading pull request #${ref.number} of ${repoName(ref.remote)}`, 'a pull request with its head commit');
  const of = `of ${sha} (pull request #${ref.number} of ${repoName(ref.remote)})`;
  // One request after another: GitHub asks clients to avoid concurrent requests (secondary rate limits).
  const runs = await listAll<GitHubCheckRun>(ctx, repoUrl(ctx, ref.remote, ['commits', sha, 'check-runs'], { per_page: MAX_PAGE_SIZE }), `listing the check runs ${of}`, 'check_runs');
  const statuses = await listAll<GitHubCommitStatus>(ctx, repoUrl(ctx, ref.remote, ['commits', sha, 'status'], { per_page: MAX_PAGE_SIZE }), `reading the commit statuses ${of}`, 'statuses');
  const checks: Check[] = [];
  for (const run of runs) checks.push(await checkOfRun(ctx, ref, run));
  checks.push(...statuses.map(checkOfStatus));
  return { state: reportState(checks), sha, checks };
}
