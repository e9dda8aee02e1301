import type { FeedStart } from '../api/sse-feed.ts';
import type { LiveLogs } from '../events/live-logs.ts';
import type { EventLog } from '../events/event-log.ts';
import { FINISHED_ATTEMPT_STATES, type Attempt } from '../store/attempt-store.ts';
import type { LogEntry } from '../store/log-store.ts';
import type { Stores } from '../store/stores.ts';
import type { AttemptService } from './attempt-service.ts';

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

const toView = (e: LogEntry): LogEntryView => ({ seq: e.seq, processId: e.processId, ts: e.ts, kind: e.kind, payload: e.payload });

/** An attempt's log (its executor events and script output, in order): read a page at a time, or followed live. */
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
   * beginning), then live entries, then `end` once the attempt has finished. Entries are
   * published only once stored, so the history and the live feed never leave a gap between them.
   */
  async feed(attemptId: string, from: number | string): Promise<FeedStart<LogEntry, number>> {
    await this.attempts.get(attemptId);
    const seq = Number(from);
    return {
      feed: {
        readAfter: (cursor, limit) => this.stores.logs.list(attemptId, { after: cursor, limit }),
        subscribe: (listener) => this.live.subscribe(attemptId, listener),
        toEvent: (entry) => ({ event: 'entry', data: toView(entry), id: entry.seq }),
        comesAfter: (entry, cursor) => entry.seq > cursor,
      },
      from: Number.isInteger(seq) && seq > 0 ? seq : 0,
      finishWhen: (finish) => {
        const end = () => finish('end', { attemptId });
        // The runner stores the last entries before it records the final state, so they are all readable by then.
        const unsubscribe = this.events.subscribe((event) => {
          if (event.type === 'attempt.updated' && event.subject === attemptId && FINISHED_ATTEMPT_STATES.includes((event.data as Attempt).state)) end();
        });
        // Read once watching: an attempt that finished before is ended now, one that finishes later by its event.
        void this.attempts.get(attemptId).then(
          (attempt) => FINISHED_ATTEMPT_STATES.includes(attempt.state) && end(),
          // Not readable (deleted meanwhile, or the server is closing): the stream ends when the client leaves.
          () => undefined,
        );
        return unsubscribe;
      },
    };
  }
}
