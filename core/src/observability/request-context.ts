import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

/** One HTTP request as its log lines and its metrics know it. */
export interface RequestContext {
  requestId: string;
  /** performance.now() when the request arrived. */
  receivedAt: number;
  /** Set once its response is over: work it set off that outlives it logs without its id. */
  over: boolean;
}

export const REQUEST_ID_HEADER = 'x-request-id';

// Short and plain enough to go into a log line and a header as it is: no spaces, quotes or
// control characters a caller could use to forge a line or a field.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const current = new AsyncLocalStorage<RequestContext>();
const byRequest = new WeakMap<IncomingMessage, RequestContext>();

/** The id a caller sent when it is sane (≤ 128 of A-Z a-z 0-9 . _ : -), else a new one. */
export function requestIdFor(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Serves each request of `listener` in a context of its own: an id (the caller's X-Request-Id
 * when sane, else new), sent back in the X-Request-Id response header. hapi's handler for the
 * request is called inside it, so everything the request sets off (promises, timers, the
 * operation's services) runs inside it too, and every line logged meanwhile carries the id
 * (`requestIdLogFields`, pino's mixin). Wrapping the listener's emit is the one place that sees a
 * request before any of hapi's code runs for it.
 */
export function serveRequestsInContext(listener: Server): void {
  const emit = listener.emit.bind(listener) as (event: string | symbol, ...args: unknown[]) => boolean;
  listener.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event !== 'request' && event !== 'checkContinue') return emit(event, ...args);
    const [request, response] = args as [IncomingMessage, ServerResponse];
    const context: RequestContext = { requestId: requestIdFor(request.headers[REQUEST_ID_HEADER]), receivedAt: performance.now(), over: false };
    byRequest.set(request, context);
    // Set before hapi answers: Node merges it into whatever headers hapi writes, error answers included.
    response.setHeader(REQUEST_ID_HEADER, context.requestId);
    response.once('close', () => (context.over = true));
    return current.run(context, () => emit(event, ...args));
  }) as Server['emit'];
}

/** The context of a request this listener served; undefined for one that did not come through it (server.inject). */
export function requestContextOf(request: IncomingMessage): RequestContext | undefined {
  return byRequest.get(request);
}

/** The fields every log line gets: the id of the request being served, while it is. A new object each time: pino merges the line's own fields into it. */
export function requestIdLogFields(): { requestId?: string } {
  const context = current.getStore();
  return context && !context.over ? { requestId: context.requestId } : {};
}
