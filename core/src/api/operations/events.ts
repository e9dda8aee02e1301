import { FORGE_EVENT_TYPES } from '../../events/event-log.ts';
import { defineOperation } from './operation.ts';

export const getEvents = defineOperation({
  kind: 'stream',
  name: 'getEvents',
  mcp: { notATool: "a live Server-Sent Events stream; MCP clients subscribe to resources instead" },
  summary: `Every change (${FORGE_EVENT_TYPES.join(', ')}) over Server-Sent Events, from the persisted event log: each event's id is its position in the log. Resume with Last-Event-ID, also across restarts; a \`resync\` event means the missed events are past the retention (FORGE_EVENT_RETENTION_MS, FORGE_EVENT_RETENTION_COUNT) and the client should reload what it shows. A client that stops reading is disconnected once more than FORGE_SSE_MAX_BUFFER_BYTES wait for it, and resumes with Last-Event-ID`,
  tags: ['events'],
  http: { method: 'GET', path: '/events' },
  input: {},
  errors: [],
  handler: async (_input: Record<string, never>, { services, lastEventId }) => services.eventStream.feed(lastEventId),
});

export const eventOperations = [getEvents];
