import { ForgeError } from '@forge-core/sdk';
import type { FeedStart, SseFeed } from '../api/sse-feed.ts';
import type { LiveLogs } from '../events/live-logs.ts';
import type { EventLog } from '../events/event-log.ts';
import { FINISHED_ATTEMPT_STATES, type Attempt } from '../store/attempt-store.ts';
import type { LogEntry } from '../store/log-store.ts';
import type { ProcessRecord } from '../store/process-store.ts';
import type { Stores } from '../store/stores.ts';
import type { AttemptService } from './attempt-service.ts';
import { ReplayPacer, type ReplayTiming } from './replay-pacer.ts';

/** A log entry as clients see it: its attempt is the one they asked for. */
export type LogEntryView = Omit<LogEntry, 'attemptId'>;

export interface LogPageQuery {
  /** Entries with a seq greater than this. */
  after: number;
  limit: number;
  processId?: string | undefined;
  /** The last `limit` entries, whatever `after` says. */
  tail?: boolean | undefined;
}

export interface LogPage {
  items: LogEntryView[];
  /** The `after` of the next page; null when this page was the last. */
  nextAfter: number | null;
}

/** How a finished attempt's log is replayed: with its timing, or (`instant`) all at once. */
export type ReplayPace = ReplayTiming | 'instant';

/** An attempt's whole log as a file: one entry (as a page shows it) a line. */
export interface LogExport {
  filename: string;
  lines: AsyncIterable<string>;
}

const toView = (e: LogEntry): LogEntryView => ({ seq: e.seq, processId: e.processId, ts: e.ts, kind: e.kind, payload: e.payload });

// Entries read from the store at a time while exporting: one page is all an export holds in memory.
const EXPORT_PAGE = 1_000;

/**
 * A stream's start: a seq, or a client's Last-Event-ID; anything else starts at the beginning.
 * Only a safe integer is a seq: a larger number would come back as an id like `1e+23`.
 */
function startingSeq(from: number | string): number {
  const seq = typeof from === 'number' ? from : /^\d{1,15}$/.test(from.trim()) ? Number(from) : 0;
  return Number.isSafeInteger(seq) && seq > 0 ? seq : 0;
}

/** An attempt's log (its executor events and script output, in order): read a page at a time, followed live, replayed or exported. */
export class LogService {
  constructor(
    private readonly stores: Stores,
    /** Where stored entries are published, live. */
    private readonly live: LiveLogs,
    /** Where the attempt's end is seen. */
    private readonly events: EventLog,
    private readonly attempts: AttemptService,
  ) {}

  async page(attemptId: string, query: LogPageQuery): Promise<LogPage> {
    await this.attempts.get(attemptId);
    const items = await this.stores.logs.list(attemptId, query);
    // A tail page ends at the last entry: there is no next page yet.
    const more = !query.tail && items.length === query.limit;
    return { items: items.map(toView), nextAfter: more ? items.at(-1)!.seq : null };
  }

  /**
   * The stored log after `from` (a seq, or a client's Last-Event-ID; anything else starts at the
   * beginning), then live entries, then `end` once the attempt has finished and no dev server
   * writes to its log any more. Entries are published only once stored, so the history and the
   * live feed never leave a gap between them.
   */
  async feed(attemptId: string, from: number | string): Promise<FeedStart<LogEntry, number>> {
    await this.attempts.get(attemptId);
    return {
      feed: { ...this.storedFeed(attemptId), subscribe: (listener) => this.live.subscribe(attemptId, listener) },
      from: startingSeq(from),
      finishWhen: (finish) => {
        // The runner stores the last entries before it records the final state, and a dev server
        // before its process ends, so they are all readable once the log is over.
        const check = () =>
          void this.isOver(attemptId).then(
            (over) => over && finish('end', { attemptId }),
            // Not readable (deleted meanwhile, or the server is closing): the stream ends when the client leaves.
            () => undefined,
          );
        const unsubscribe = this.events.subscribe((event) => {
          if (event.type === 'attempt.updated' && event.subject === attemptId && FINISHED_ATTEMPT_STATES.includes((event.data as Attempt).state)) check();
          if (event.type === 'process.finished' && isDevServerOf(event.data as ProcessRecord, attemptId)) check();
        });
        // Read once watching: a log over before is ended now, one that ends later by its event.
        check();
        return unsubscribe;
      },
    };
  }

  /**
   * A finished attempt's log sent again as the live stream sent it (`entry` events, id = seq,
   * then `end`), from `from` on: with its original timing or all at once.
   */
  async replay(attemptId: string, from: number | string, pace: ReplayPace): Promise<FeedStart<LogEntry, number>> {
    const attempt = await this.attempts.get(attemptId);
    if (!FINISHED_ATTEMPT_STATES.includes(attempt.state)) {
      throw new ForgeError(
        'FORGE_CONFLICT',
        `Attempt ${attemptId} is ${attempt.state}: only a finished attempt's log is replayed. Follow it live at GET /api/v1/attempts/${attemptId}/logs/stream, which sends the same events.`,
        { attemptId, state: attempt.state },
      );
    }
    const pacer = pace === 'instant' ? null : new ReplayPacer(pace);
    return {
      feed: {
        ...this.storedFeed(attemptId),
        // Nothing live: the log is stored (what a dev server adds meanwhile is read with the pages).
        subscribe: () => () => undefined,
        ...(pacer && { pace: (entry: LogEntry, signal: AbortSignal) => pacer.waitFor(entry.ts, signal) }),
      },
      from: startingSeq(from),
      finishWhen: (finish) => {
        finish('end', { attemptId });
        return () => undefined;
      },
    };
  }

  /**
   * The attempt's log as JSON lines, as far as it is stored now (a running attempt's export ends
   * there), read a page at a time as the client takes it.
   */
  async export(attemptId: string): Promise<LogExport> {
    await this.attempts.get(attemptId);
    const last = await this.stores.logs.lastSeq(attemptId);
    return { filename: `attempt-${attemptId}-log.jsonl`, lines: this.exportLines(attemptId, last) };
  }

  private async *exportLines(attemptId: string, last: number): AsyncIterable<string> {
    for (let after = 0; after < last; ) {
      const page = (await this.stores.logs.list(attemptId, { after, limit: EXPORT_PAGE })).filter((entry) => entry.seq <= last);
      if (page.length === 0) return;
      yield page.map((entry) => `${JSON.stringify(toView(entry))}\n`).join('');
      after = page.at(-1)!.seq;
    }
  }

  /** The attempt's stored entries as `entry` events, read by seq. */
  private storedFeed(attemptId: string): Omit<SseFeed<LogEntry, number>, 'subscribe'> {
    return {
      readAfter: (cursor, limit) => this.stores.logs.list(attemptId, { after: cursor, limit }),
      toEvent: (entry) => ({ event: 'entry', data: toView(entry), id: entry.seq }),
      comesAfter: (entry, cursor) => entry.seq > cursor,
    };
  }

  /** Whether nothing writes to the attempt's log any more: it has finished, and no dev server runs in it. */
  private async isOver(attemptId: string): Promise<boolean> {
    const attempt = await this.attempts.get(attemptId);
    if (!FINISHED_ATTEMPT_STATES.includes(attempt.state)) return false;
    return (await this.stores.processes.latestOfKind(attemptId, 'dev'))?.status !== 'running';
  }
}

const isDevServerOf = (process: ProcessRecord, attemptId: string) => process.kind === 'dev' && process.attemptId === attemptId;
