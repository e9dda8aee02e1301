import { performance } from 'node:perf_hooks';
import type Hapi from '@hapi/hapi';
import type { Logger } from 'pino';
import type { ForgeMetrics } from './forge-metrics.ts';
import { requestContextOf } from './request-context.ts';

// nginx's code for a client that went away before it got an answer.
const CLIENT_CLOSED = 499;

/**
 * When each request is over (answered, or its client gone): one access line in the log (method,
 * route pattern, path, status, duration, request id) and one observation of the request latency
 * histogram. The only request log: hapi logs nothing itself, and the 500 line server.ts writes
 * carries the error, not the request.
 */
export function observeRequests(server: Hapi.Server, logger: Logger, metrics: ForgeMetrics): void {
  server.events.on('response', (request) => {
    const context = requestContextOf(request.raw.req);
    const response = request.raw.res;
    const status = response.headersSent ? response.statusCode : CLIENT_CLOSED;
    const method = request.method.toUpperCase();
    const route = routePatternOf(server, request);
    // A request injected with server.inject never passed the listener: hapi's own millisecond times.
    const durationMs = context ? performance.now() - context.receivedAt : Date.now() - request.info.received;
    metrics.httpRequestDone(method, route, status, durationMs / 1000);
    // The message names method, route and status: what the log sampler keys on, so one hot route
    // is sampled without hiding the others or the failures among its own.
    logger.info(
      { requestId: context?.requestId, method, route, path: request.path, status, durationMs: Math.round(durationMs * 1000) / 1000 },
      `${method} ${route} ${status}`,
    );
  });
}

/**
 * The route's pattern (/api/v1/tasks/{taskId}), never the raw path: one label per route. A
 * request refused before hapi looked its route up (a wrong token, a foreign Host) is given the
 * route it was for; one that matches none, or has a malformed path, is "unmatched".
 */
function routePatternOf(server: Hapi.Server, request: Hapi.Request): string {
  if ((request.route.method as string) !== '_special') return request.route.path;
  try {
    return server.match(request.method, request.path)?.path ?? 'unmatched';
  } catch {
    // hapi's match asserts on a path its router calls malformed (bad percent-encoding).
    return 'unmatched';
  }
}
