import { PassThrough } from 'node:stream';
import type Hapi from '@hapi/hapi';

const HEARTBEAT_MS = 15_000;

export interface SseChannel {
  send(event: string, data: unknown, id?: string | number): void;
  close(): void;
  readonly closed: boolean;
  /** Runs when the client goes away or the channel is closed. */
  onClose(cleanup: () => void): void;
}

/**
 * Opens a Server-Sent Events response. Every event carries an id, so a client that loses the
 * connection resumes with the standard Last-Event-ID header.
 */
export function openSse(request: Hapi.Request, h: Hapi.ResponseToolkit): { channel: SseChannel; response: Hapi.ResponseObject } {
  const stream = new PassThrough();
  const cleanups: (() => void)[] = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const cleanup of cleanups.splice(0)) cleanup();
    stream.end();
  };
  // A comment line now and then keeps proxies from closing an idle stream.
  const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  // The response, not the request: a request 'close's as soon as its body is read.
  request.raw.res.once('close', close);
  stream.write('retry: 2000\n\n');
  const channel: SseChannel = {
    send(event, data, id) {
      if (closed) return;
      stream.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close,
    get closed() {
      return closed;
    },
    onClose(cleanup) {
      if (closed) cleanup();
      else cleanups.push(cleanup);
    },
  };
  const response = h
    .response(stream)
    .type('text/event-stream')
    .header('cache-control', 'no-cache')
    .header('x-accel-buffering', 'no')
    // Compression would hold events back until a whole gzip block fills.
    .header('content-encoding', 'identity')
    .header('connection', 'keep-alive');
  return { channel, response };
}

export function lastEventId(request: Hapi.Request): string | undefined {
  const header = request.headers['last-event-id'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}
