import { retryAfterSecondsOf, type ProviderResponse } from '@forge-core/sdk';

export interface RequestBudgetOptions {
  /** Requests per hour to one host, for each host without its own figure. */
  requestsPerHour: number;
  /** Per-host figures, by code host name (as in remote URLs). */
  perHost?: Readonly<Record<string, number>>;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
  pausedUntil: number;
}

/**
 * How many requests Forge may still send to each code host: a token bucket per host that
 * fills at the hour's budget (holding at most a minute of it, so a burst stays small), and a
 * pause when the host says it is out of quota (Retry-After, a zero remaining count). The poller
 * asks before each poll; every request sent through a provider's fetch is counted, manual ones
 * included, so the budget is what the host sees, and an overdraft delays the next polls.
 */
export class RequestBudget {
  readonly #buckets = new Map<string, Bucket>();
  readonly #sent = new Map<string, number>();
  readonly #now: () => number;

  constructor(private readonly options: RequestBudgetOptions) {
    this.#now = options.now ?? Date.now;
  }

  perHour(host: string): number {
    return this.options.perHost?.[host] ?? this.options.requestsPerHour;
  }

  /** The most requests the bucket holds: a minute of the hourly budget, at least one. */
  capacity(host: string): number {
    return Math.max(1, this.perHour(host) / 60);
  }

  /** Whether the host is not paused and `count` requests fit in what is left. */
  allows(host: string, count: number): boolean {
    const bucket = this.#fill(host);
    return bucket.pausedUntil <= this.#now() && bucket.tokens >= count;
  }

  /** How long until `count` requests may be sent (0 when they may now): the pause, and the refill. */
  secondsUntil(host: string, count: number): number {
    const bucket = this.#fill(host);
    const missing = count - bucket.tokens;
    const refill = missing <= 0 ? 0 : (missing / this.perHour(host)) * 3600;
    const pause = Math.max(0, bucket.pausedUntil - this.#now()) / 1000;
    return Math.ceil(Math.max(refill, pause));
  }

  /** Requests counted for the host so far: what a poll cost is the difference across it. */
  sent(host: string): number {
    return this.#sent.get(host) ?? 0;
  }

  /** Counts requests sent (every one, manual refreshes and extra pages included); the balance may go below zero. */
  spend(host: string, count = 1): void {
    this.#fill(host).tokens -= count;
    this.#sent.set(host, this.sent(host) + count);
  }

  /** When the host may be asked again, or 0 when it may be now. */
  pausedUntil(host: string): number {
    const until = this.#fill(host).pausedUntil;
    return until > this.#now() ? until : 0;
  }

  pause(host: string, seconds: number): void {
    const bucket = this.#fill(host);
    bucket.pausedUntil = Math.max(bucket.pausedUntil, this.#now() + seconds * 1000);
  }

  /** Reads an answer's rate-limit signals: out of quota pauses the host until the reset. */
  observe(host: string, response: ProviderResponse): void {
    const { headers, status } = response;
    const exhausted = headers['x-ratelimit-remaining'] === '0' || headers['ratelimit-remaining'] === '0';
    if (status === 429 || exhausted) this.pause(host, retryAfterSecondsOf(headers) ?? 60);
  }

  #fill(host: string): Bucket {
    const now = this.#now();
    const perHour = this.perHour(host);
    const capacity = this.capacity(host);
    const bucket = this.#buckets.get(host) ?? { tokens: capacity, at: now, pausedUntil: 0 };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 3_600_000) * perHour);
    bucket.at = now;
    this.#buckets.set(host, bucket);
    return bucket;
  }
}
