import type Hapi from '@hapi/hapi';
import Joi from 'joi';
import type { Forge } from '../../forge.ts';
import { FINISHED_ATTEMPT_STATES, type Attempt } from '../../store/attempt-store.ts';
import type { LogEntry } from '../../store/log-store.ts';
import { errorResponses, forgeOf, param } from '../route-helpers.ts';
import { id, limit, logEntryModel } from '../schemas.ts';
import { FeedStream, type SseFeed } from '../sse-feed.ts';
import { lastEventId, openSse, type SseChannel } from '../sse.ts';

const params = Joi.object({ attemptId: id('attempt').required() });
const after = Joi.number().integer().min(0).default(0).description('return entries with seq greater than this');
const PAGE = 1_000;

const toView = (e: LogEntry) => ({ seq: e.seq, processId: e.processId, ts: e.ts, kind: e.kind, payload: e.payload });

export const logRoutes: Hapi.Plugin<void> = {
  name: 'forge-api-logs',
  version: '1.0.0',
  register(server) {
    server.route([
      {
        method: 'GET',
        path: '/attempts/{attemptId}/logs',
        options: {
          tags: ['api', 'logs'],
          description: "A page of the attempt's log: its executor events and script output, in order",
          validate: {
            params,
            query: Joi.object({ after, limit: limit(PAGE, 200), processId: id('process') }),
          },
          response: {
            schema: Joi.object({ items: Joi.array().items(logEntryModel).required(), nextAfter: Joi.number().integer().allow(null).required() }).label(
              'LogPage',
            ),
          },
          plugins: { forge: { errors: errorResponses(400, 404) } },
        },
        handler: async (request) => {
          const forge = forgeOf(request);
          await forge.attempts.get(param(request, 'attemptId'));
          const query = request.query as { after: number; limit: number; processId?: string };
          const items = await forge.stores.logs.list(param(request, 'attemptId'), query);
          return { items: items.map(toView), nextAfter: items.length === query.limit ? items.at(-1)!.seq : null };
        },
      },
      {
        method: 'GET',
        path: '/attempts/{attemptId}/logs/stream',
        options: {
          tags: ['api', 'logs'],
          description:
            "Live log over Server-Sent Events: `entry` events (id = seq) from `after` or Last-Event-ID on, then live; an `end` event once the attempt has finished. A client that stops reading is disconnected once more than FORGE_SSE_MAX_BUFFER_BYTES wait for it, and resumes with Last-Event-ID",
          validate: { params, query: Joi.object({ after }) },
          plugins: { forge: { errors: errorResponses(400, 404), stream: true } },
        },
        handler: async (request, h) => {
          const forge = forgeOf(request);
          const attempt = await forge.attempts.get(param(request, 'attemptId'));
          const resumeFrom = Number(lastEventId(request) ?? (request.query as { after: number }).after);
          const { channel, response } = openSse(request, h);
          streamLog(forge, attempt, Number.isInteger(resumeFrom) && resumeFrom > 0 ? resumeFrom : 0, channel);
          return response;
        },
      },
    ]);
  },
};

/**
 * The stored log from `from` on, then live entries, then `end` once the attempt has finished.
 * Entries are published only once stored, so a page read from the database and the live feed
 * never leave a gap between them.
 */
function streamLog(forge: Forge, attempt: Attempt, from: number, channel: SseChannel): void {
  const feed: SseFeed<LogEntry, number> = {
    readAfter: (cursor, limit) => forge.stores.logs.list(attempt.id, { after: cursor, limit }),
    subscribe: (listener) => forge.bus.subscribeLogs(attempt.id, listener),
    toEvent: (entry) => ({ event: 'entry', data: toView(entry), id: entry.seq }),
    comesAfter: (entry, cursor) => entry.seq > cursor,
  };
  const stream = new FeedStream(channel, feed, from, forge.logger.child({ attemptId: attempt.id }));
  const end = () => stream.finish('end', { attemptId: attempt.id });
  channel.onClose(
    forge.bus.subscribe((event) => {
      if (event.type !== 'attempt.updated') return;
      const updated = event.data as Attempt;
      // The runner stores the last entries before it records the final state, so they are all readable now.
      if (updated.id === attempt.id && FINISHED_ATTEMPT_STATES.includes(updated.state)) end();
    }),
  );
  stream.start();
  if (FINISHED_ATTEMPT_STATES.includes(attempt.state)) end();
}
