import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { PinnedAddress } from './target-guard.ts';

/** One POST of a delivery's body to its subscription's URL. */
export interface WebhookRequest {
  url: URL;
  /** The checked address the connection goes to; the URL's host is only the Host header and the TLS name. */
  address: PinnedAddress;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Aborted when the server stops: the attempt is cut short. */
  signal: AbortSignal;
}

/** What one attempt came to: delivered when `status` is 2xx. */
export interface WebhookResponse {
  /** The HTTP status, or null when none came (timeout, connection refused, TLS failure). */
  status: number | null;
  /** Why it did not count as delivered; null when it did. */
  error: string | null;
  /** The start of the response body, for the delivery log. */
  excerpt: string | null;
  durationMs: number;
}

/** Why an attempt cut short by the server's stop did not count: it is sent again after the next start. */
export const INTERRUPTED = 'the server stopped during the attempt';

/** The most of a response body read: a receiver's answer only has to say what went wrong. */
const READ_LIMIT_BYTES = 4096;
const EXCERPT_CHARS = 500;

/**
 * Sends deliveries over keep-alive connections, each to its pinned address. Redirects are not
 * followed: a 3xx is a failed attempt that says where it pointed, since following it would mean
 * checking a second target mid-delivery, and a receiver's URL that redirects is a configuration
 * to fix, not to work around.
 */
export class WebhookSender {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 16 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 16 }),
  };

  send(request: WebhookRequest): Promise<WebhookResponse> {
    const started = process.hrtime.bigint();
    const elapsed = () => Math.round(Number(process.hrtime.bigint() - started) / 1e6);
    const { url, address } = request;
    const secure = url.protocol === 'https:';
    return new Promise<WebhookResponse>((resolve) => {
      let settled = false;
      const finish = (response: Omit<WebhookResponse, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...response, durationMs: elapsed() });
      };
      const hostname = url.hostname.replace(/^\[|\]$/g, '');
      const outgoing = (secure ? https.request : http.request)({
        agent: this.agents[secure ? 'https:' : 'http:'],
        host: address.address,
        family: address.family,
        port: url.port || (secure ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { ...request.headers, host: url.host, 'content-length': String(Buffer.byteLength(request.body)) },
        // The certificate is checked against the name in the URL, not the address connected to.
        ...(secure && isIP(hostname) === 0 ? { servername: hostname } : {}),
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) => finish({ status: null, error: connectionError(error), excerpt: null }));
      const timer = setTimeout(() => {
        outgoing.destroy();
        finish({ status: null, error: `no answer within ${request.timeoutMs} ms`, excerpt: null });
      }, request.timeoutMs);
      const abort = () => {
        outgoing.destroy();
        finish({ status: null, error: INTERRUPTED, excerpt: null });
      };
      if (request.signal.aborted) abort();
      request.signal.addEventListener('abort', abort, { once: true });
      outgoing.on('close', () => request.signal.removeEventListener('abort', abort));
      outgoing.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          const status = response.statusCode ?? 0;
          const excerpt = excerptOf(Buffer.concat(chunks).subarray(0, READ_LIMIT_BYTES));
          finish({ status, error: status >= 200 && status < 300 ? null : statusError(status, response.headers.location), excerpt });
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= READ_LIMIT_BYTES) {
            // Enough of it: the rest is not read, and the connection is not reused.
            response.destroy();
            done();
          }
        });
        response.on('end', done);
        response.on('error', done);
      });
      outgoing.end(request.body);
    });
  }

  close(): void {
    for (const agent of Object.values(this.agents)) agent.destroy();
  }
}

function statusError(status: number, location: string | undefined): string {
  if (status >= 300 && status < 400) {
    const where = location ? ` to ${location.slice(0, 200)}` : '';
    return `answered ${status}, a redirect${where}; webhooks do not follow redirects, so point the subscription at the final URL`;
  }
  return `answered ${status}`;
}

function connectionError(error: NodeJS.ErrnoException): string {
  return `${error.code ? `${error.code}: ` : ''}${error.message}`.slice(0, 500);
}

function excerptOf(body: Buffer): string | null {
  if (body.length === 0) return null;
  // Control characters out, so a receiver's answer cannot forge lines in a log or a terminal.
  return body.toString('utf8').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?').slice(0, EXCERPT_CHARS);
}
