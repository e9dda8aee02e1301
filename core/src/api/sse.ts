import { PassThrough } from 'node:stream';
import type Hapi from '@hapi/hapi';
import { requestContextOf } from '../observability/request-context.ts';
import { forgeOf } from './route-helpers.ts';

const HEARTBEAT_MS = 15_000;

export interface SseChannel {
  /**
   * A live event, written at once. A client that still has more than the cap waiting when a burst
   * of live events begins is dropped instead (spec/decisions/0019): it resumes with Last-Event-ID.
   */
  send(event: string, data: unknown, id?: string | number): void;
  /**
   * A stored event: waits while the stream's buffer is full (16 KiB), so replaying history holds
   * little for any client and never drops it. Resolves once written, or once the channel closed.
   */
  sendPaced(event: string, data: unknown, id?: string | number): Promise<void>;
  /**
   * A live event this client will read from the stored history later. While its history is
   * paused, what arrives like this counts against its cap as if it waited in the buffer.
   */
  owe(event: string, data: unknown, id?: string | number): void;
  /** Ends the stream after what was written goes out. */
  close(): void;
  readonly closed: boolean;
  /** Runs when the client goes away or the channel is closed. */
  onClose(cleanup: () => void): void;
}

// One event goes to every client that follows the stream: its data is turned into JSON once.
const serialized = new WeakMap<object, string>();

function toJson(data: unknown): string {
  if (typeof data !== 'object' || data === null) return JSON.stringify(data);
  let text = serialized.get(data);
  if (text === undefined) serialized.set(data, (text = JSON.stringify(data)));
  return text;
}

const frame = (event: string, data: unknown, id?: string | number) =>
  `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${toJson(data)}\n\n`;

/**
 * Opens a Server-Sent Events response. Every event carries an id, so a client that loses the
 * connection, or is dropped for not reading, resumes with the standard Last-Event-ID header.
 * What waits in this process for one client is capped at FORGE_SSE_MAX_BUFFER_BYTES.
 */
export function openSse(request: Hapi.Request, h: Hapi.ResponseToolkit): { channel: SseChannel; response: Hapi.ResponseObject } {
  const { config, logger, metrics } = forgeOf(request);
  const cap = config.sseMaxBufferBytes;
  const res = request.raw.res;
  // Paced history waits whenever write() reports this stream's buffer full (its default 16 KiB):
  // the kernel's socket buffers keep a reading client busy, more here would only sit in memory.
  const stream = new PassThrough();
  // Everything written for this client that the kernel has not taken yet, in this stream and in
  // the response (which counts its socket's buffer).
  const waitingBytes = () => stream.writableLength + stream.readableLength + res.writableLength;
  // Bytes of live events that arrived while paced history waited for this client.
  let owedBytes = 0;
  // The backlog when this turn of the event loop first had a live event for the client. Events
  // come in bursts (a stored batch of log entries, published at once) that no socket can take
  // within the burst, so the cap is checked against what the client left unread since the last
  // burst: one burst alone never drops a client that keeps up.
  let backlogAtBurstStart: number | null = null;
  const overCapAtBurstStart = () => {
    if (backlogAtBurstStart === null) {
      backlogAtBurstStart = waitingBytes() + owedBytes;
      setImmediate(() => (backlogAtBurstStart = null));
    }
    return backlogAtBurstStart > cap;
  };
  let wakeWriter: (() => void) | null = null;
  stream.on('drain', () => {
    owedBytes = 0;
    wakeWriter?.();
  });

  const cleanups: (() => void)[] = [metrics.sseClientOpened(request.route.path)];
  let closed = false;
  const finish = () => {
    if (closed) return false;
    closed = true;
    clearInterval(heartbeat);
    for (const cleanup of cleanups.splice(0)) cleanup();
    wakeWriter?.();
    return true;
  };
  // Whatever still waits for a client that went away is released now, not when hapi lets go.
  const disconnected = () => {
    if (finish()) stream.destroy();
  };
  const drop = () => {
    // Named by its own request's id: a drop happens while another request's event is published.
    const requestId = requestContextOf(request.raw.req)?.requestId;
    logger.info({ requestId, path: request.path, waitingBytes: waitingBytes() + owedBytes, maxBufferBytes: cap }, 'dropped an SSE client that does not keep up');
    disconnected();
    // Destroying the response closes the socket: the client sees the stream end and resumes.
    res.destroy();
  };
  // A comment line now and then keeps proxies from closing an idle stream; a stream with bytes
  // still waiting is not idle, and a client that stopped reading must not collect comments.
  const heartbeat = setInterval(() => {
    if (waitingBytes() === 0) stream.write(': keep-alive\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();
  // The response, not the request: a request 'close's as soon as its body is read. The stream's
  // own close covers a client that left before this ran: hapi destroys the stream then.
  res.once('close', disconnected);
  stream.once('close', disconnected);
  stream.write('retry: 2000\n\n');

  const channel: SseChannel = {
    send(event, data, id) {
      if (closed) return;
      if (overCapAtBurstStart()) drop();
      else stream.write(frame(event, data, id));
    },
    async sendPaced(event, data, id) {
      while (!closed && stream.writableNeedDrain) await new Promise<void>((resolve) => (wakeWriter = resolve));
      wakeWriter = null;
      if (!closed) stream.write(frame(event, data, id));
    },
    owe(event, data, id) {
      if (closed || !stream.writableNeedDrain) return;
      if (overCapAtBurstStart()) drop();
      else owedBytes += Buffer.byteLength(frame(event, data, id));
    },
    close() {
      if (finish()) stream.end();
    },
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
