import type Hapi from '@hapi/hapi';
import Joi from 'joi';
import type { Forge } from '../../forge.ts';
import { FINISHED_ATTEMPT_STATES, type Attempt } from '../../store/attempt-store.ts';
import type { LogEntry } from '../../store/log-store.ts';
import { errorResponses, forgeOf, param } from '../route-helpers.ts';
import { id, limit, logEntryModel } from '../schemas.ts';
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
            "Live log over Server-Sent Events: `entry` events (id = seq) from `after` or Last-Event-ID on, then live; an `end` event once the attempt has finished",
          validate: { params, query: Joi.object({ after }) },
          plugins: { forge: { errors: errorResponses(400, 404), stream: true } },
        },
        handler: async (request, h) => {
          const forge = forgeOf(request);
          const attempt = await forge.attempts.get(param(request, 'attemptId'));
          const resumeFrom = Number(lastEventId(request) ?? (request.query as { after: number }).after);
          const { channel, response } = openSse(request, h);
          void streamLog(forge, attempt, Number.isInteger(resumeFrom) && resumeFrom > 0 ? resumeFrom : 0, channel);
          return response;
        },
      },
    ]);
  },
};

/**
 * History from the database, then live entries from the bus. Live entries that arrive while
 * history is read wait in a buffer, and the sequence number drops any seen twice.
 */
async function streamLog(forge: Forge, attempt: Attempt, from: number, channel: SseChannel): Promise<void> {
  let sent = from;
  let replaying = true;
  const pending: LogEntry[] = [];
  let finished = FINISHED_ATTEMPT_STATES.includes(attempt.state);
  const send = (entry: LogEntry) => {
    if (entry.seq <= sent) return;
    sent = entry.seq;
    channel.send('entry', toView(entry), entry.seq);
  };
  const drainHistory = async () => {
    for (;;) {
      const page = await forge.stores.logs.list(attempt.id, { after: sent, limit: PAGE });
      page.forEach(send);
      if (page.length < PAGE || channel.closed) return;
    }
  };
  const end = async () => {
    await drainHistory();
    channel.send('end', { attemptId: attempt.id }, sent);
    channel.close();
  };
  channel.onClose(
    forge.bus.subscribeLogs(attempt.id, (entry) => (replaying ? pending.push(entry) : send(entry))),
  );
  channel.onClose(
    forge.bus.subscribe((event) => {
      if (event.type !== 'attempt.updated') return;
      const updated = event.data as Attempt;
      if (updated.id !== attempt.id) return;
      finished = FINISHED_ATTEMPT_STATES.includes(updated.state);
      // The runner stores the last entries before it records the final state, so they are all readable now.
      if (finished && !replaying) void end();
    }),
  );
  try {
    await drainHistory();
    replaying = false;
    pending.splice(0).forEach(send);
    if (finished) await end();
  } catch (error) {
    forge.logger.error({ err: error, attemptId: attempt.id }, 'log stream failed');
    channel.close();
  }
}
