import type Hapi from '@hapi/hapi';
import { FORGE_EVENT_TYPES } from '../../events/event-bus.ts';
import { forgeOf } from '../route-helpers.ts';
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
        description: `Every change (${FORGE_EVENT_TYPES.join(', ')}) over Server-Sent Events. Resume with Last-Event-ID; a \`resync\` event means the missed events are gone and the client should reload what it shows`,
        plugins: { forge: { stream: true } },
      },
      handler: (request, h) => {
        const forge = forgeOf(request);
        const { channel, response } = openSse(request, h);
        const resumeFrom = lastEventId(request);
        if (resumeFrom !== undefined) {
          const missed = forge.bus.since(resumeFrom);
          if (missed === null) channel.send('resync', { reason: 'The events after your Last-Event-ID are no longer available.' });
          else for (const event of missed) channel.send(event.type, event, event.id);
        }
        channel.onClose(forge.bus.subscribe((event) => channel.send(event.type, event, event.id)));
        return response;
      },
    });
  },
};
