import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ForgeError } from '@forge-core/sdk';
import { errorBodyOf, toBoom } from './error-response.ts';

/**
 * The HTTP listener hapi serves on, with one deadline for receiving each request, headers and
 * body together (spec/decisions/0014).
 *
 * hapi's own payload timeout cannot do this: when it fires, hapi first drains the rest of the body
 * and only then answers, so a client sending a byte a second holds the socket until it stops or
 * Node's default 300 s request timeout (checked every 30 s) cuts it. Node's `requestTimeout` runs
 * from the first byte of a request until its body is complete, so a response that streams for
 * hours (Server-Sent Events) is not affected, nor is a keep-alive connection between requests.
 */
export function createListenerWithRequestDeadline(timeoutMs: number, onTimeout: (socket: Socket) => void): Server {
  const listener = createServer({
    requestTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    // Node compares deadlines on this interval only; a tenth of the deadline keeps the overshoot small.
    connectionsCheckingInterval: Math.min(1_000, Math.max(10, Math.floor(timeoutMs / 10))),
  });

  // Node answers an expired request through 'clientError', whose hapi handler would call it a 400.
  const responses = new WeakMap<Socket, ServerResponse>();
  const track = (request: { socket: Socket }, response: ServerResponse) => responses.set(request.socket, response);
  listener.on('request', track);
  listener.on('checkContinue', track);
  const body = JSON.stringify(
    errorBodyOf(
      toBoom(
        new ForgeError(
          'FORGE_REQUEST_TIMEOUT',
          `The request was not received within ${timeoutMs} ms; send its headers and body at once, or raise FORGE_REQUEST_TIMEOUT_MS.`,
          { timeoutMs },
        ),
      ),
    ),
  );
  const answer = Buffer.from(
    `HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `connection: close\r\n\r\n${body}`,
  );
  // First in line: hapi's handler runs after this one and finds the socket already closed.
  listener.prependListener('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code !== 'ERR_HTTP_REQUEST_TIMEOUT') return;
    const response = responses.get(socket);
    const answering = response !== undefined && response.headersSent && !response.writableFinished;
    // A response already under way cannot be replaced; otherwise the 408 goes out before the close.
    if (socket.writable && !answering) socket.write(answer);
    onTimeout(socket);
    // Closing also aborts the request inside hapi, so its handler never runs on a late body.
    socket.destroy();
  });
  return listener;
}
