import type { Server } from 'node:http';
import net from 'node:net';
import { parseSseBlock, type SseEvent } from './sse-client.ts';

export interface StalledReading {
  /** The events received whole; a last event cut off by the close is not among them. */
  events: SseEvent[];
  /** How the response stopped: the server closed the connection, or ended the response normally. */
  endedBy: 'connection closed' | 'response ended';
}

/**
 * A client that sends its GET over a raw socket and then reads nothing: the socket is paused
 * before it connects, so all the server can send fills the kernel's buffers and then waits in the
 * server. Given the server's listener (a server in this process), `serverClosed` resolves when
 * the server closes its end of this connection, which the client itself cannot see without reading;
 * without it, `serverClosed` is null.
 */
export class StalledSseClient {
  private constructor(
    private readonly socket: net.Socket,
    readonly serverClosed: Promise<void> | null,
  ) {}

  static async open(url: string, path: string, listener?: Server): Promise<StalledSseClient> {
    const { hostname, port } = new URL(url);
    const accepted = new Map<number, net.Socket>();
    let wanted: ((socket: net.Socket) => void) | null = null;
    let wantedPort = -1;
    const onConnection = (socket: net.Socket) => {
      if (socket.remotePort === wantedPort) wanted?.(socket);
      else accepted.set(socket.remotePort!, socket);
    };
    listener?.on('connection', onConnection);
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.pause();
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    wantedPort = socket.localPort!;
    let serverClosed: Promise<void> | null = null;
    if (listener) {
      const serverSide = await new Promise<net.Socket>((resolve) => {
        const known = accepted.get(wantedPort);
        if (known) resolve(known);
        else wanted = resolve;
      });
      listener.off('connection', onConnection);
      serverClosed = new Promise<void>((resolve) => (serverSide.destroyed ? resolve() : serverSide.once('close', () => resolve())));
    }
    socket.write(`GET ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\naccept: text/event-stream\r\n\r\n`);
    return new StalledSseClient(socket, serverClosed);
  }

  /** Starts reading, and returns what arrives until the connection closes or the response ends. */
  readToEnd(): Promise<StalledReading> {
    const chunks: Buffer[] = [];
    return new Promise((resolve, reject) => {
      const settle = (endedBy: StalledReading['endedBy']) => {
        this.socket.destroy();
        resolve({ events: parseSse(Buffer.concat(chunks)), endedBy });
      };
      this.socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        // The last chunk of a chunked response has size 0; SSE lines hold no carriage return.
        if (Buffer.concat(chunks.slice(-2)).toString('latin1').endsWith('\r\n0\r\n\r\n')) settle('response ended');
      });
      this.socket.once('end', () => settle('connection closed'));
      this.socket.once('error', reject);
      this.socket.resume();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Decodes a chunked HTTP response as far as it arrived, and returns the SSE events whole in it. */
function parseSse(raw: Buffer): SseEvent[] {
  const headerEnd = raw.indexOf('\r\n\r\n');
  if (headerEnd === -1) return [];
  const status = raw.subarray(0, raw.indexOf('\r\n')).toString();
  if (!/^HTTP\/1\.1 200 /.test(status)) throw new Error(`not a 200: ${status}`);
  const body: Buffer[] = [];
  for (let at = headerEnd + 4; ; ) {
    const sizeEnd = raw.indexOf('\r\n', at);
    if (sizeEnd === -1) break;
    const sizeLine = raw.subarray(at, sizeEnd).toString();
    if (!/^[0-9a-f]+$/i.test(sizeLine)) throw new Error(`not a chunk size: ${JSON.stringify(sizeLine.slice(0, 40))}`);
    const size = parseInt(sizeLine, 16);
    if (size === 0) break;
    const start = sizeEnd + 2;
    body.push(raw.subarray(start, Math.min(start + size, raw.length)));
    if (start + size + 2 > raw.length) break;
    at = start + size + 2;
  }
  const text = Buffer.concat(body).toString('utf8');
  const blocks = text.split('\n\n');
  blocks.pop(); // whatever follows the last blank line is not a whole event
  const events: SseEvent[] = [];
  for (const block of blocks) {
    const event = parseSseBlock(block);
    if (event) events.push(event);
  }
  return events;
}
