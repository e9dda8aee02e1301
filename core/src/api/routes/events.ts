import type Hapi from '@hapi/hapi';
import { EventBus, FORGE_EVENT_TYPES, type ForgeEvent } from '../../events/event-bus.ts';
import { forgeOf } from '../route-helpers.ts';
import { FeedStream, type SseFeed } from '../sse-feed.ts';
import { lastEventId, openSse } from '../sse.ts';

export const eventRoutes: Hapi.Plugin<void> = {
  name: 'forge-api-events',
  version: '1.0.0',
  register(server) {
    server.route({
      method: 'GET',
      path: '/events',
      options: {
        tags: ['api', 'events'],
        description: `Every change (${FORGE_EVENT_TYPES.join(', ')}) over Server-Sent Events. Resume with Last-Event-ID; a \`resync\` event means the missed events are gone and the client should reload what it shows. A client that stops reading is disconnected once more than FORGE_SSE_MAX_BUFFER_BYTES wait for it, and resumes with Last-Event-ID`,
        plugins: { forge: { stream: true } },
      },
      handler: (request, h) => {
        const forge = forgeOf(request);
        const { bus } = forge;
        const { channel, response } = openSse(request, h);
        const feed: SseFeed<ForgeEvent, string> = {
          readAfter: async (cursor, limit) =>
            bus.since(cursor, limit) ?? { resyncFrom: bus.latestId, reason: 'The events after your Last-Event-ID are no longer available.' },
          subscribe: (listener) => bus.subscribe(listener),
          toEvent: (event) => ({ event: event.type, data: event, id: event.id }),
          comesAfter: (event, cursor) => EventBus.isAfter(event.id, cursor),
        };
        new FeedStream(channel, feed, lastEventId(request) ?? bus.latestId, forge.logger).start();
        return response;
      },
    });
  },
};
