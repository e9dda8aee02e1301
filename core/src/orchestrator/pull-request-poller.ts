import type { Logger } from 'pino';
import type { EventLog } from '../events/event-log.ts';
import { FINISHED_ATTEMPT_STATES, type Attempt } from '../store/attempt-store.ts';
import type { RequestBudget } from '../providers/request-budget.ts';
import type { PullRequestStore } from '../store/pull-request-store.ts';
import type { PullRequestService } from './pull-request-service.ts';

export interface PullRequestPollerOptions {
  /** One pull request is polled at most this often. */
  minIntervalMs: number;
  /** How often the poller looks for due pull requests. */
  tickMs?: number;
  now?: () => number;
}

/**
 * Requests one poll is assumed to cost until one has been measured on the host: the pull request,
 * its checks (two requests on GitHub), a page of comments with review reactions on. The schedule
 * spreads polls so the open pull requests of one host fit its budget.
 */
export const REQUESTS_PER_POLL = 4;
const BATCH = 50;

/**
 * Keeps open pull requests current within each host's request budget. Each pull request's next
 * poll is spaced by `pollIntervalMs`: at least `minIntervalMs`, more when a host has so many
 * open pull requests that polling each that often would overdraw its budget (1,000 open on a
 * host with 900 requests an hour and four requests a poll: one poll each every 4.4 h). A poll that finds the host out of
 * budget or paused is left due and retried when the budget allows. When the run of a reaction's
 * follow-up ends, its pull request is polled at once, which pushes the run's work to it.
 */
export class PullRequestPoller {
  #timer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;
  /** Polls set off by a run's end, still going: stop() waits for them. */
  readonly #afterRuns = new Set<Promise<void>>();
  #running: Promise<void> | null = null;
  #openByHost = new Map<string, number>();
  /** What a poll has cost on each host, as measured: the schedule and the budget check use it. */
  readonly #costPerPoll = new Map<string, number>();
  readonly #now: () => number;

  constructor(
    private readonly store: PullRequestStore,
    private readonly service: PullRequestService,
    private readonly budget: RequestBudget,
    private readonly events: EventLog,
    private readonly options: PullRequestPollerOptions,
    private readonly logger: Logger,
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** The time between two polls of one pull request on this code host, given how many are open there. */
  pollIntervalMs(host: string): number {
    const open = Math.max(1, this.#openByHost.get(host) ?? 1);
    const perHour = this.budget.perHour(host);
    return Math.max(this.options.minIntervalMs, Math.ceil((open * this.costPerPoll(host) * 3_600_000) / perHour));
  }

  /** What a poll on the host is expected to cost, never more than its bucket holds (else it would never fit). */
  costPerPoll(host: string): number {
    return Math.min(this.#costPerPoll.get(host) ?? REQUESTS_PER_POLL, this.budget.capacity(host));
  }

  /** When a pull request polled now is polled next (a little jitter keeps a host's polls apart). */
  nextPollAt(host: string): string {
    const interval = this.pollIntervalMs(host);
    return new Date(this.#now() + interval + Math.floor(Math.random() * interval * 0.1)).toISOString();
  }

  start(): void {
    this.#timer = setInterval(() => void this.tick(), this.options.tickMs ?? 1000);
    this.#timer.unref();
    this.#unsubscribe = this.events.subscribe((event) => {
      if (event.type === 'attempt.updated' && FINISHED_ATTEMPT_STATES.includes((event.data as Attempt).state)) void this.#track(this.#afterRun(event.subject));
    });
    // Reactions whose run ended while no server listened (it stopped, or crashed and recovery settled the run).
    void this.store
      .withPendingReaction()
      .then((records) => Promise.all(records.map((record) => this.#track(this.#afterRun(record.attemptId)))))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'resuming pending pull request reactions failed'));
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#unsubscribe?.();
    await this.#running;
    await Promise.all(this.#afterRuns);
  }

  #track(work: Promise<void>): Promise<void> {
    this.#afterRuns.add(work);
    return work.finally(() => this.#afterRuns.delete(work));
  }

  async #afterRun(attemptId: string): Promise<void> {
    const record = await this.store.get(attemptId).catch(() => undefined);
    if (record?.reactionPending == null) return;
    await this.service.poll(record).catch((error: unknown) => this.logger.warn({ err: error, attemptId }, 'pushing a reaction to its pull request failed'));
  }

  /** One round: every due pull request whose host has budget for it; one round at a time. */
  tick(): Promise<void> {
    this.#running ??= this.#round().finally(() => (this.#running = null));
    return this.#running;
  }

  async #round(): Promise<void> {
    try {
      this.#openByHost = await this.store.openCountByHost();
      const now = new Date(this.#now()).toISOString();
      const due = await this.store.due(now, BATCH);
      const outOfBudget = new Set<string>();
      for (const record of due) {
        const cost = this.costPerPoll(record.host);
        if (outOfBudget.has(record.host)) continue;
        if (!this.budget.allows(record.host, cost)) {
          // All of the host's due pull requests go back in the queue until it can be asked, so
          // they do not hold up other hosts' ones behind them.
          const wait = Math.max(this.budget.secondsUntil(record.host, cost) * 1000, 1000);
          outOfBudget.add(record.host);
          await this.store.postponeHost(record.host, now, new Date(this.#now() + wait).toISOString());
          continue;
        }
        const before = this.budget.sent(record.host);
        await this.service.poll(record).catch((error: unknown) => this.logger.warn({ err: error, attemptId: record.attemptId }, 'pull request poll failed'));
        const spent = this.budget.sent(record.host) - before;
        // The heavier of the last poll and a slowly fading memory of earlier ones: a poll that read extra pages counts.
        if (spent > 0) this.#costPerPoll.set(record.host, Math.max(spent, Math.round(cost * 0.9)));
      }
    } catch (error) {
      this.logger.error({ err: error }, 'pull request poller round failed');
    }
  }
}
