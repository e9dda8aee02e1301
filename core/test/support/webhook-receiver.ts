import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

/** One request a receiver got, as it came. */
export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  /** The raw body, byte for byte what was signed. */
  raw: string;
  body: { id: string; event: { id: string; type: string; subject: string; ts: string; data: any } };
  /** The status it answered. */
  status: number;
  receivedAt: number;
  /** The request's path and query: which subscription it came for, when each has its own. */
  path: string;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Decides each answer: a status, or a status with headers (a redirect). */
  respond: (request: number) => number | { status: number; headers: Record<string, string> };
  /** The most requests it held open at once, by path. */
  maxOpenByPath: Map<string, number>;
  close(): Promise<void>;
}

/**
 * A real HTTP receiver on 127.0.0.1 that records every request; it answers 204 unless told
 * otherwise, after `holdMs` (a slow receiver: requests overlap if the sender lets them).
 */
export async function startWebhookReceiver(respond: WebhookReceiver['respond'] = () => 204, holdMs = 0): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const open = new Map<string, number>();
  const receiver = { received, respond, maxOpenByPath: new Map() } as WebhookReceiver;
  const server = http.createServer((request, response) => {
    const path = request.url ?? '/';
    open.set(path, (open.get(path) ?? 0) + 1);
    receiver.maxOpenByPath.set(path, Math.max(receiver.maxOpenByPath.get(path) ?? 0, open.get(path)!));
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const answer = receiver.respond(received.length);
      const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
      received.push({ headers: request.headers, raw, body: JSON.parse(raw), status, receivedAt: Date.now(), path });
      setTimeout(() => {
        open.set(path, open.get(path)! - 1);
        response.writeHead(status, headers).end(status >= 400 ? 'receiver says no' : '');
      }, holdMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  receiver.port = port;
  receiver.url = `http://127.0.0.1:${port}/hooks`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** What a receiver checks: the signature header against an HMAC-SHA256 of "<timestamp>.<raw body>", by node:crypto alone. */
export function hasValidSignature(secret: string, request: ReceivedWebhook): boolean {
  const timestamp = String(request.headers['forge-webhook-timestamp']);
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${timestamp}.${request.raw}`).digest('hex')}`);
  const given = Buffer.from(String(request.headers['forge-webhook-signature']));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
