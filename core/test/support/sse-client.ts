export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

/** One event block (the lines between blank lines), or null for a comment or a bare retry. */
export function parseSseBlock(block: string): SseEvent | null {
  const event: Partial<SseEvent> = {};
  for (const line of block.split('\n')) {
    if (line.startsWith('id: ')) event.id = line.slice(4);
    else if (line.startsWith('event: ')) event.event = line.slice(7);
    else if (line.startsWith('data: ')) event.data = JSON.parse(line.slice(6));
  }
  return event.event ? (event as SseEvent) : null;
}

export interface ReadSseOptions {
  lastEventId?: string;
  headers?: Record<string, string>;
  until?: (events: SseEvent[]) => boolean;
  timeoutMs?: number;
  /** Ends the read early, as the deadline does. */
  signal?: AbortSignal;
  onOpen?: (response: Response) => void;
  /** Where the events go as they come, for a caller that looks while the stream is open. */
  events?: SseEvent[];
}

/**
 * Reads a Server-Sent Events response until `until` says stop, the stream ends, the deadline
 * passes or `signal` aborts; returns the events seen.
 */
export async function readSse(url: string, options: ReadSseOptions = {}): Promise<SseEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 15_000);
  options.signal?.addEventListener('abort', () => controller.abort());
  const events: SseEvent[] = options.events ?? [];
  try {
    const response = await fetch(url, {
      headers: { ...options.headers, ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}) },
      signal: controller.signal,
    });
    if (response.headers.get('content-type')?.startsWith('text/event-stream') !== true) {
      throw new Error(`not an event stream: ${response.status} ${await response.text()}`);
    }
    options.onOpen?.(response);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const event = parseSseBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event) events.push(event);
      }
      if (options.until?.(events)) break;
    }
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}
