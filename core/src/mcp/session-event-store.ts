import type { EventStore, JSONRPCMessage } from '@modelcontextprotocol/server';

interface StoredEvent {
  streamId: string;
  seq: number;
  message: JSONRPCMessage;
}

// Enough for a client that lost its connection for a while; older messages are gone, as after a restart.
const KEPT_MESSAGES = 1_000;

/**
 * What a 2025-era session sent on its SSE streams, kept so a client that reconnects with
 * Last-Event-ID gets what it missed (resumable streams). In memory, bounded, per session.
 */
export class SessionEventStore implements EventStore {
  private readonly events: StoredEvent[] = [];
  private seq = 0;

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const event = { streamId, seq: ++this.seq, message };
    this.events.push(event);
    if (this.events.length > KEPT_MESSAGES) this.events.shift();
    return idOf(event);
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return parse(eventId)?.streamId;
  }

  async replayEventsAfter(lastEventId: string, { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> }): Promise<string> {
    const last = parse(lastEventId);
    if (!last) throw new Error(`Unknown event id ${lastEventId.slice(0, 80)}`);
    for (const event of this.events) {
      if (event.streamId === last.streamId && event.seq > last.seq) await send(idOf(event), event.message);
    }
    return last.streamId;
  }
}

const idOf = (event: StoredEvent) => `${event.streamId}.${event.seq}`;

function parse(eventId: string): { streamId: string; seq: number } | null {
  const dot = eventId.lastIndexOf('.');
  const seq = Number(eventId.slice(dot + 1));
  return dot > 0 && Number.isInteger(seq) ? { streamId: eventId.slice(0, dot), seq } : null;
}
