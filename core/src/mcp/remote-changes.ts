import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { ChangeSource, StateChange } from './resource-changes.ts';

// After a dropped connection; the stream resumes from the last event it gave (Last-Event-ID).
const RECONNECT_MS = 2_000;

/**
 * The changes of a server running elsewhere, read from its GET /api/v1/events stream while
 * someone listens. Log entries are not in that stream: an attempt's log resource then moves with
 * the attempt's state.
 */
export function remoteChanges(baseUrl: string, token: string | undefined): ChangeSource {
  const listeners = new Set<(change: StateChange) => void>();
  let stop: AbortController | null = null;
  const follow = async (signal: AbortSignal) => {
    let lastEventId: string | undefined;
    while (!signal.aborted) {
      try {
        const response = await fetch(`${baseUrl}/api/v1/events`, {
          headers: { accept: 'text/event-stream', ...(token && { authorization: `Bearer ${token}` }), ...(lastEventId && { 'last-event-id': lastEventId }) },
          signal,
        });
        if (!response.ok || !response.body) throw new Error(`GET /api/v1/events answered ${response.status}`);
        const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
        for await (const event of events) {
          if (event.id) lastEventId = event.id;
          if (event.event === 'resync') lastEventId = undefined;
          if (!event.event?.includes('.')) continue;
          const { type, subject } = JSON.parse(event.data) as StateChange;
          for (const listener of listeners) listener({ type, subject });
        }
      } catch {
        // Dropped, refused or restarting: try again below, unless stopped.
      }
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS).unref());
    }
  };
  return {
    onStateChange(listener) {
      listeners.add(listener);
      if (!stop) {
        stop = new AbortController();
        void follow(stop.signal);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          stop?.abort();
          stop = null;
        }
      };
    },
    onLogEntry: () => () => undefined,
  };
}
