import { connect, createServer } from 'node:net';
import { withoutTerminalEscapes } from '@forge-core/sdk';

/** Where a dev server said it listens. */
export interface AnnouncedPort {
  port: number;
  url: string;
  /** Whether the line gave the URL itself (else it is made from the port). */
  printed: boolean;
}

// What dev servers print once they listen: a URL on a local host (Vite's "Local:
// http://localhost:5173/", Next's "- Local: http://localhost:3000"), a bare host and port
// ("127.0.0.1:8080"), or words ("listening on port 3000", "Port: 4000").
const LOCAL_URL = /\bhttps?:\/\/(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1?\]):(\d{2,5})(\/[^\s'"<>)]*)?/i;
const HOST_AND_PORT = /\b(localhost|127\.0\.0\.1|0\.0\.0\.0):(\d{2,5})\b/i;
const PORT_WORD = /\bport\s*[:=]?\s*(\d{2,5})\b/i;

// How long a reader of a dev server's state waits for its port to answer a connection.
const PROBE_TIMEOUT_MS = 300;

const valid = (port: number) => port >= 1 && port <= 65_535;

/** The first port a line of a dev server's output announces, as a URL a browser on this machine opens; null for any other line. */
export function announcedPort(line: string): AnnouncedPort | null {
  const text = withoutTerminalEscapes(line);
  const url = LOCAL_URL.exec(text);
  if (url && valid(Number(url[2]))) {
    // 0.0.0.0 and :: are where a server binds, not an address to open.
    const host = /^(0\.0\.0\.0|\[::\])$/.test(url[1]!) ? 'localhost' : url[1]!;
    return { port: Number(url[2]), url: `${url[0].slice(0, url[0].indexOf(':'))}://${host}:${url[2]}${url[3] ?? '/'}`, printed: true };
  }
  const hostPort = HOST_AND_PORT.exec(text) ?? PORT_WORD.exec(text);
  const port = hostPort ? Number(hostPort.at(-1)) : Number.NaN;
  return valid(port) ? { port, url: `http://localhost:${port}/`, printed: false } : null;
}

/**
 * A port on 127.0.0.1 nothing listens on now, picked by the kernel: handed to a dev server as
 * PORT. Another process may take it before the dev server binds it; the port the dev server
 * announces is the one reported then.
 */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:`port` right now. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
