import type { Logger } from 'pino';
import { now } from '../store/clock.ts';
import type { Database } from '../store/database.ts';
import type { EventStore, StoredEvent } from '../store/event-store.ts';
import { atomically, type Tx } from '../store/transaction.ts';

export const FORGE_EVENT_TYPES = [
  'project.created',
  'project.updated',
  'project.deleted',
  'task.created',
  'task.updated',
  'task.deleted',
  'task.dependency_added',
  'task.dependency_removed',
  'attempt.created',
  'attempt.updated',
  'process.started',
  'process.finished',
  'approval.requested',
  'approval.decided',
  'executor_profile.updated',
  'executor_profile.deleted',
  'pull_request.opened',
  'pull_request.updated',
  'pull_request.reaction',
  'pull_request.needs_attention',
  'concurrency.updated',
] as const;
export type ForgeEventType = (typeof FORGE_EVENT_TYPES)[number];

/** An event as readers get it. */
export interface ForgeEvent {
  /** Its position in the log, as a string: the SSE id a client sends back as Last-Event-ID. */
  id: string;
  type: ForgeEventType;
  /** The id (or, for a profile, the name) of the project, task, attempt, process, approval or executor profile that changed; for a pull request, its attempt's id. */
  subject: string;
  ts: string;
  data: unknown;
}

/** Records an event of the change being made; it is appended in the change's own transaction. */
export type Emit = (type: ForgeEventType, subject: string, data: unknown) => void;

/** What a cursor read answers when the events after the cursor are no longer all kept. */
export interface EventGap {
  gap: true;
  /** Where a reader that has reloaded its state continues from: the newest event. */
  resumeFrom: string;
  reason: string;
}

export interface EventRetention {
  maxAgeMs: number;
  maxCount: number;
}

type Listener = (event: ForgeEvent) => void;

const PRUNE_INTERVAL_MS = 60_000;
const PRUNE_BATCH = 5_000;

const toForgeEvent = (stored: StoredEvent): ForgeEvent => ({
  id: String(stored.seq),
  type: stored.type as ForgeEventType,
  subject: stored.subject,
  ts: stored.ts,
  data: stored.data,
});

/**
 * The persisted event log (spec/decisions/0021). Every state change runs through `transact`,
 * which appends the change's events in the change's own transaction: an event exists exactly
 * when its change does, across any crash. Readers take what they need from two calls: a cursor
 * read of what is stored (`readAfter`) and the live tail of what commits from now on
 * (`subscribe`); SSE, and later webhooks, metrics, MCP notifications and other nodes, are all
 * such readers. Retention keeps the log bounded by age and count.
 */
export class EventLog {
  private newest = 0;
  private oldest = 0;
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | null = null;
  private pruning: Promise<void> | null = null;

  private constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly retention: EventRetention,
    private readonly logger: Logger,
  ) {}

  static async open(db: Database, store: EventStore, retention: EventRetention, logger: Logger): Promise<EventLog> {
    const log = new EventLog(db, store, retention, logger);
    const { oldest, newest } = await store.bounds();
    log.oldest = oldest;
    log.newest = newest;
    return log;
  }

  /**
   * Runs `work` as one transaction; the events it emits are appended in it, and published to
   * live subscribers once it commits, in commit order. A throw rolls back the change and its events.
   */
  async transact<T>(work: (tx: Tx, emit: Emit) => T): Promise<T> {
    const emitted: StoredEvent[] = [];
    return atomically(
      this.db,
      (tx) => {
        const ts = now();
        return work(tx, (type, subject, data) => emitted.push(this.store.append(tx, { type, subject, ts, data })));
      },
      () => this.published(emitted),
    );
  }

  /** The id of the newest event: a reader that starts here gets everything committed later. */
  get latestId(): string {
    return String(this.newest);
  }

  /**
   * Up to `limit` events after the cursor, oldest first; a gap when some of them were pruned, or
   * the cursor is not one of this log's (another database, or a malformed id).
   */
  async readAfter(cursor: string, limit: number, subject?: string): Promise<ForgeEvent[] | EventGap> {
    const after = /^\d{1,15}$/.test(cursor) ? Number(cursor) : Number.NaN;
    if (!(after <= this.newest)) return this.gap(`Event id "${cursor}" is not one of this server's events.`);
    const events = await this.store.readAfter(after, limit, subject);
    // Checked after the read: pruning that ran before it is caught; one that ran during it at worst resyncs a client needlessly.
    if (after < this.oldest - 1) return this.gap(`The events after ${cursor} are no longer kept (retention).`);
    return events.map(toForgeEvent);
  }

  /** Calls `listener` with each event as it commits, in order; returns the unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Prunes now and then every minute, and whenever the log has grown a tenth past its count. */
  start(): void {
    this.timer = setInterval(() => this.prune(), PRUNE_INTERVAL_MS);
    this.timer.unref();
    this.prune();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pruning;
  }

  /** Applies the retention; resolves when the log is within it. */
  prune(): Promise<void> {
    this.pruning ??= (async () => {
      try {
        const before = new Date(Date.now() - this.retention.maxAgeMs).toISOString();
        while ((await this.store.prune(before, this.retention.maxCount, PRUNE_BATCH)) === PRUNE_BATCH);
        this.oldest = (await this.store.bounds()).oldest;
      } catch (error) {
        this.logger.warn({ err: error }, 'could not prune the event log');
      } finally {
        this.pruning = null;
      }
    })();
    return this.pruning;
  }

  private published(stored: readonly StoredEvent[]): void {
    if (stored.length === 0) return;
    this.newest = stored.at(-1)!.seq;
    if (this.oldest === 0) this.oldest = stored[0]!.seq;
    for (const event of stored.map(toForgeEvent)) {
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          this.logger.error({ err: error, eventId: event.id }, 'an event listener failed');
        }
      }
    }
    if (this.timer && this.newest - this.oldest >= this.retention.maxCount * 1.1) void this.prune();
  }

  private gap(reason: string): EventGap {
    return { gap: true, resumeFrom: this.latestId, reason };
  }
}
