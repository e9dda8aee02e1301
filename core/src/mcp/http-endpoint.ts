import { PassThrough, Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type Hapi from '@hapi/hapi';
import type { Forge } from '../forge.ts';
import type { McpHttpService } from './mcp-http-service.ts';
import { canonicalResourceUri } from './resource-uris.ts';

export const MCP_PATH = '/mcp';

/**
 * MCP over Streamable HTTP at /mcp, in the same hapi server as the REST API: the same token,
 * the same Host and Origin checks (they run on every route before this), and the same services
 * called in process (mcp-http-service.ts, loaded at the first request).
 */
export function mountMcp(server: Hapi.Server, forge: Forge): void {
  let service: Promise<McpHttpService> | null = null;
  const serviceNow = () => (service ??= import('./mcp-http-service.ts').then((module) => module.createMcpHttpService(forge)));
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
    const response = await (await serviceNow()).handle(webRequest, parsedBody === undefined ? {} : { parsedBody }, (done) => request.raw.res.once('close', done));
    return toHapiResponse(h, response);
  };
  const plugins = { forge: { rawJsonBody: true } };
  server.route([
    { method: 'POST', path: MCP_PATH, options: { payload: { parse: false, output: 'data' }, plugins }, handler },
    { method: ['GET', 'DELETE'], path: MCP_PATH, options: { plugins }, handler },
  ]);
  // Open SSE streams would hold the server's stop for its whole grace period.
  server.ext('onPreStop', async () => {
    await (await service)?.close();
  });
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
