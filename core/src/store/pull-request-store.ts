import type { Check, ChecksReport, PullRequest, PullRequestState } from '@forge-core/sdk';
import type { Database } from './database.ts';
import { now } from './clock.ts';
import type { Tx } from './transaction.ts';

/** An attempt's pull request as Forge keeps it: what the host said last, and what the reactions did. */
export interface PullRequestRecord {
  attemptId: string;
  provider: string;
  host: string;
  owner: string;
  repo: string;
  apiBaseUrl: string;
  number: number;
  url: string;
  state: PullRequestState;
  draft: boolean;
  title: string;
  head: string;
  base: string;
  headSha: string | null;
  checks: { state: ChecksReport['state']; sha: string; items: Check[] } | null;
  /** Review comments already seen (answered, or there before reactions could answer). */
  seenCommentIds: string[];
  /** The head commit whose failed checks a follow-up already answered. */
  answeredFailureSha: string | null;
  /** A reaction's follow-up is running; when it ends, the branch is pushed so the pull request gets its work. */
  reactionPending: 'checks' | 'review' | null;
  reactionsUsed: number;
  budgetSpentAt: string | null;
  /** The last poll's failure, cleared by the next good one. */
  error: { code: string; message: string } | null;
  polledAt: string | null;
  nextPollAt: string;
  createdAt: string;
  updatedAt: string;
}

interface PullRequestRow {
  attempt_id: string;
  provider: string;
  host: string;
  owner: string;
  repo: string;
  api_base_url: string;
  number: number;
  url: string;
  state: PullRequestState;
  draft: number | boolean;
  title: string;
  head: string;
  base: string;
  head_sha: string | null;
  checks_state: ChecksReport['state'] | null;
  checks: string | null;
  seen_comment_ids: string;
  answered_failure_sha: string | null;
  reaction_pending: 'checks' | 'review' | null;
  reactions_used: number;
  budget_spent_at: string | null;
  error_code: string | null;
  error_message: string | null;
  polled_at: string | null;
  next_poll_at: string;
  created_at: string;
  updated_at: string;
}

function toRecord(row: PullRequestRow): PullRequestRecord {
  const checks = row.checks === null ? null : (JSON.parse(row.checks) as { sha: string; items: Check[] });
  return {
    attemptId: row.attempt_id,
    provider: row.provider,
    host: row.host,
    owner: row.owner,
    repo: row.repo,
    apiBaseUrl: row.api_base_url,
    number: row.number,
    url: row.url,
    state: row.state,
    draft: Boolean(row.draft),
    title: row.title,
    head: row.head,
    base: row.base,
    headSha: row.head_sha,
    checks: checks && row.checks_state ? { state: row.checks_state, ...checks } : null,
    seenCommentIds: JSON.parse(row.seen_comment_ids) as string[],
    answeredFailureSha: row.answered_failure_sha,
    reactionPending: row.reaction_pending,
    reactionsUsed: row.reactions_used,
    budgetSpentAt: row.budget_spent_at,
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    polledAt: row.polled_at,
    nextPollAt: row.next_poll_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** What a poll or a reaction changes; absent fields stay as they are. */
export type PullRequestChanges = Partial<
  Pick<
    PullRequestRecord,
    'state' | 'draft' | 'title' | 'url' | 'headSha' | 'checks' | 'seenCommentIds' | 'answeredFailureSha' | 'reactionPending' | 'reactionsUsed' | 'budgetSpentAt' | 'error' | 'polledAt' | 'nextPollAt'
  >
>;

function toRow(changes: PullRequestChanges): Partial<PullRequestRow> {
  const row: Partial<PullRequestRow> = {};
  const set = <K extends keyof PullRequestRow>(key: K, value: PullRequestRow[K] | undefined) => {
    if (value !== undefined) row[key] = value;
  };
  set('state', changes.state);
  set('draft', changes.draft);
  set('title', changes.title);
  set('url', changes.url);
  set('head_sha', changes.headSha);
  if (changes.checks !== undefined) {
    row.checks_state = changes.checks?.state ?? null;
    row.checks = changes.checks === null ? null : JSON.stringify({ sha: changes.checks.sha, items: changes.checks.items });
  }
  if (changes.seenCommentIds !== undefined) row.seen_comment_ids = JSON.stringify(changes.seenCommentIds);
  set('answered_failure_sha', changes.answeredFailureSha);
  set('reaction_pending', changes.reactionPending);
  set('reactions_used', changes.reactionsUsed);
  set('budget_spent_at', changes.budgetSpentAt);
  if (changes.error !== undefined) {
    row.error_code = changes.error?.code ?? null;
    row.error_message = changes.error?.message ?? null;
  }
  set('polled_at', changes.polledAt);
  set('next_poll_at', changes.nextPollAt);
  return row;
}

export interface NewPullRequest {
  attemptId: string;
  provider: string;
  host: string;
  owner: string;
  repo: string;
  apiBaseUrl: string;
  pullRequest: PullRequest;
  seenCommentIds: string[];
  nextPollAt: string;
}

/** The `pull_requests` table. Writes happen inside the caller's transaction, beside their events. */
export class PullRequestStore {
  constructor(private readonly db: Database) {}

  async get(attemptId: string): Promise<PullRequestRecord | undefined> {
    const row = await this.db<PullRequestRow>('pull_requests').where({ attempt_id: attemptId }).first();
    return row && toRecord(row);
  }

  read(tx: Tx, attemptId: string): PullRequestRecord | undefined {
    const row = tx.first<PullRequestRow>(this.db('pull_requests').where({ attempt_id: attemptId }));
    return row && toRecord(row);
  }

  /** Open pull requests whose next poll is due, soonest first. */
  async due(at: string, limit: number): Promise<PullRequestRecord[]> {
    const rows: PullRequestRow[] = await this.db('pull_requests').where('state', 'open').where('next_poll_at', '<=', at).orderBy('next_poll_at').limit(limit);
    return rows.map(toRecord);
  }

  /** How many pull requests are open on each code host: what one host's budget is shared by. */
  async openCountByHost(): Promise<Map<string, number>> {
    const rows: { host: string; count: number }[] = await this.db('pull_requests').where('state', 'open').groupBy('host').select('host').count({ count: '*' });
    return new Map(rows.map((row) => [row.host, Number(row.count)]));
  }

  /** Moves the next poll of every open pull request of the host due by `due` to `until` (the poller's schedule: no event). */
  async postponeHost(host: string, due: string, until: string): Promise<void> {
    await this.db('pull_requests').where({ host, state: 'open' }).where('next_poll_at', '<=', due).update({ next_poll_at: until });
  }

  delete(tx: Tx, attemptId: string): void {
    tx.run(this.db('pull_requests').where({ attempt_id: attemptId }).delete());
  }

  /** Pull requests whose reaction follow-up has not been pushed yet. */
  async withPendingReaction(): Promise<PullRequestRecord[]> {
    const rows: PullRequestRow[] = await this.db('pull_requests').whereNotNull('reaction_pending');
    return rows.map(toRecord);
  }

  insert(tx: Tx, input: NewPullRequest): PullRequestRecord {
    const timestamp = now();
    const pr = input.pullRequest;
    const row: PullRequestRow = {
      attempt_id: input.attemptId,
      provider: input.provider,
      host: input.host,
      owner: input.owner,
      repo: input.repo,
      api_base_url: input.apiBaseUrl,
      number: pr.number,
      url: pr.url,
      state: pr.state,
      draft: pr.draft,
      title: pr.title,
      head: pr.head,
      base: pr.base,
      head_sha: pr.headSha ?? null,
      checks_state: null,
      checks: null,
      seen_comment_ids: JSON.stringify(input.seenCommentIds),
      answered_failure_sha: null,
      reaction_pending: null,
      reactions_used: 0,
      budget_spent_at: null,
      error_code: null,
      error_message: null,
      polled_at: timestamp,
      next_poll_at: input.nextPollAt,
      created_at: timestamp,
      updated_at: timestamp,
    };
    tx.run(this.db('pull_requests').insert(row));
    return toRecord(row);
  }

  update(tx: Tx, attemptId: string, changes: PullRequestChanges): PullRequestRecord | undefined {
    tx.run(this.db('pull_requests').where({ attempt_id: attemptId }).update({ ...toRow(changes), updated_at: now() }));
    return this.read(tx, attemptId);
  }
}
