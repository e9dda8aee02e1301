import type { EventStore, JSONRPCMessage } from '@modelcontextprotocol/server';

interface StoredEvent {
  streamId: string;
  seq: number;
  message: JSONRPCMessage;
  bytes: number;
}

// Enough for a client that lost its connection for a short while (notifications, a result in
// flight); older messages are gone, as after a restart. Bytes, not messages: one tool result may
// be megabytes, and a thousand sessions may be open.
const KEPT_BYTES = 256 * 1024;

/**
 * What a 2025-era session sent on its SSE streams, kept so a client that reconnects with
 * Last-Event-ID gets what it missed (resumable streams). In memory, bounded in bytes, per
 * session; a message larger than the bound is sent but not kept.
 */
export class SessionEventStore implements EventStore {
  private readonly events: StoredEvent[] = [];
  private bytes = 0;
  private seq = 0;

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const event = { streamId, seq: ++this.seq, message, bytes: JSON.stringify(message).length };
    if (event.bytes <= KEPT_BYTES) {
      this.events.push(event);
      this.bytes += event.bytes;
      while (this.bytes > KEPT_BYTES) this.bytes -= this.events.shift()!.bytes;
    }
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
