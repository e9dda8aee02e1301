import type { FeedStart } from '../api/sse-feed.ts';
import type { EventLog, ForgeEvent } from './event-log.ts';

/**
 * Every change, as a client follows it (GET /events): the events after its Last-Event-ID, or only
 * those to come without one, then the live ones. A client whose events are no longer all kept,
 * or whose id is not one of this log's, is told to resync.
 */
export class EventStream {
  constructor(private readonly log: EventLog) {}

  feed(lastEventId: string | undefined): FeedStart<ForgeEvent, string> {
    const { log } = this;
    return {
      feed: {
        readAfter: async (cursor, limit) => {
          const events = await log.readAfter(cursor, limit);
          return 'gap' in events ? { resyncFrom: events.resumeFrom, reason: events.reason } : events;
        },
        subscribe: (listener) => log.subscribe(listener),
        toEvent: (event) => ({ event: event.type, data: event, id: event.id }),
        comesAfter: (event, cursor) => Number(event.id) > Number(cursor),
      },
      from: lastEventId ?? log.latestId,
    };
  }
}
