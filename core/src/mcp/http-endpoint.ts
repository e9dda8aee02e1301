import { PassThrough, Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type Hapi from '@hapi/hapi';
import { createMcpHandler, InMemoryServerEventBus, isLegacyRequest, type ServerEventBus } from '@modelcontextprotocol/server';
import type { Forge } from '../forge.ts';
import { agentInstructions, attemptOfRequest } from './agent-offer.ts';
import { createForgeMcpServer } from './forge-mcp-server.ts';
import { LegacySessions } from './legacy-sessions.ts';
import { localInvoker } from './operation-invoker.ts';
import { localChanges, ResourceChanges } from './resource-changes.ts';
import { canonicalResourceUri } from './resource-uris.ts';

export const MCP_PATH = '/mcp';

/**
 * MCP over Streamable HTTP at /mcp, in the same hapi server as the REST API: the same token,
 * the same Host and Origin checks (they run on every route before this), and the same services
 * called in process. A 2026-07-28 request (it carries the per-request `_meta` envelope) is served
 * statelessly by a fresh server instance; 2025-era traffic goes to its session (legacy-sessions.ts).
 */
export function mountMcp(server: Hapi.Server, forge: Forge): void {
  const logger = forge.logger.child({ component: 'mcp' });
  const changes = new ResourceChanges(localChanges(forge.events, forge.liveLogs));
  const onerror = (error: Error) => logger.debug({ err: error }, 'MCP request refused or failed');
  const invoke = localInvoker(forge);
  const modern = createMcpHandler(
    async ({ requestInfo }) => createForgeMcpServer({ invoke, logger, moreInstructions: await agentInstructions(invoke, attemptOfRequest(requestInfo)) }),
    { legacy: 'reject', onerror, bus: busFedBy(changes) },
  );
  const sessions = new LegacySessions(
    async (initialize) =>
      createForgeMcpServer({
        invoke,
        logger,
        changes: { source: changes, era: 'legacy' },
        moreInstructions: await agentInstructions(invoke, attemptOfRequest(initialize)),
      }),
    { maxSessions: forge.config.mcpMaxSessions, idleMs: forge.config.mcpSessionIdleMs, logger },
  );

  const handler: Hapi.Lifecycle.Method = async (request, h) => {
    const aborted = new AbortController();
    request.raw.res.once('close', () => aborted.abort());
    const body = request.payload as Buffer | null;
    const parsedBody = withCanonicalListenUris(parseJson(body));
    // A body parsed here is handed over as such; the raw one only when it is not JSON (the SDK answers that).
    const rawBody = parsedBody === undefined && body && body.length > 0 ? body : undefined;
    const webRequest = new Request(`http://${request.info.host || '127.0.0.1'}${request.url.pathname}${request.url.search}`, {
      method: request.method.toUpperCase(),
      headers: headersOf(request),
      ...(rawBody && { body: rawBody }),
      signal: aborted.signal,
    });
    const parsed = parsedBody === undefined ? {} : { parsedBody };
    const legacy = await isLegacyRequest(webRequest, parsedBody);
    const response = legacy
      ? await sessions.handle(webRequest, parsed, (done) => request.raw.res.once('close', done))
      : await modern.fetch(webRequest, parsed);
    return toHapiResponse(h, response);
  };
  const plugins = { forge: { rawJsonBody: true } };
  server.route([
    { method: 'POST', path: MCP_PATH, options: { payload: { parse: false, output: 'data' }, plugins }, handler },
    { method: ['GET', 'DELETE'], path: MCP_PATH, options: { plugins }, handler },
  ]);
  // Open SSE streams would hold the server's stop for its whole grace period.
  server.ext('onPreStop', async () => {
    await Promise.all([modern.close(), sessions.close()]);
  });
}

/**
 * The bus the 2026-era `subscriptions/listen` streams read: resource changes flow into it only
 * while at least one stream is open (the listen router then keeps what each stream asked for).
 */
function busFedBy(changes: ResourceChanges): ServerEventBus {
  const bus = new InMemoryServerEventBus();
  let stopFeeding: (() => void) | null = null;
  return {
    publish: (event) => bus.publish(event),
    subscribe(listener) {
      const unsubscribe = bus.subscribe(listener);
      stopFeeding ??= changes.subscribe((uri) => bus.publish({ kind: 'resource_updated', uri }));
      return () => {
        unsubscribe();
        if (bus.listenerCount === 0) {
          stopFeeding?.();
          stopFeeding = null;
        }
      };
    },
  };
}

function headersOf(request: Hapi.Request): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    for (const one of Array.isArray(value) ? value : [value]) if (typeof one === 'string') headers.append(name, one);
  }
  return headers;
}

/**
 * A 2026 `subscriptions/listen` names the resources in the form updates use, however the client
 * spelled them: the SDK's listen router compares the strings as they are.
 */
function withCanonicalListenUris(body: unknown): unknown {
  const message = body as { method?: unknown; params?: { notifications?: { resourceSubscriptions?: unknown } } } | undefined;
  const uris = message?.method === 'subscriptions/listen' ? message.params?.notifications?.resourceSubscriptions : undefined;
  if (Array.isArray(uris)) message!.params!.notifications!.resourceSubscriptions = uris.map((uri) => (typeof uri === 'string' ? canonicalResourceUri(uri) : uri));
  return body;
}

/** The body as JSON, or undefined when it is none or not JSON (the SDK then answers a parse error itself). */
function parseJson(body: Buffer | null): unknown {
  if (!body || body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

async function toHapiResponse(h: Hapi.ResponseToolkit, response: Response): Promise<Hapi.ResponseObject> {
  const streaming = response.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
  const payload =
    response.body === null
      ? undefined
      : streaming
        ? sseStartingNow(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>))
        : Buffer.from(await response.arrayBuffer());
  const answer = h.response(payload).code(response.status);
  response.headers.forEach((value, name) => {
    answer.header(name, value);
  });
  // Compression would hold events back until a whole gzip block fills.
  if (streaming) answer.header('content-encoding', 'identity').header('x-accel-buffering', 'no');
  return answer;
}

/**
 * The stream with an SSE comment in front: the response's headers go out with it at once. A
 * 2025 session's GET stream may have nothing to say for a long while, and a client waits for the
 * headers to know the stream is open.
 */
function sseStartingNow(events: Readable): Readable {
  const stream = new PassThrough();
  stream.write(': open\n\n');
  events.pipe(stream);
  events.once('error', (error) => stream.destroy(error));
  stream.once('close', () => events.destroy());
  return stream;
}
