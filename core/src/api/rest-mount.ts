import { Readable } from 'node:stream';
import type Hapi from '@hapi/hapi';
import type { ForgeError, ForgeErrorCode } from '@forge-core/sdk';
import type { FeatureName } from '../config/features.ts';
import { statusOf } from './error-response.ts';
import type { CallOperation, DownloadOperation, Operation, OperationContext, StreamOperation } from './operations/operation.ts';
import { toBoom } from './error-response.ts';
import { wellFormedInput } from './well-formed-input.ts';
import { errorResponses, forgeOf } from './route-helpers.ts';
import { JsonText } from './json-text.ts';
import { FeedStream } from './sse-feed.ts';
import { lastEventId, openSse } from './sse.ts';

/**
 * Serves each operation as one hapi route under `prefix`: joi validates the path, query and body
 * apart (an error names the part), and the route options carry what build-openapi.ts reads.
 */
export function mountRest(server: Hapi.Server, operations: readonly Operation[], prefix: string): void {
  server.route(operations.map((operation) => routeOf(operation, prefix)));
}

/** The HTTP statuses of an operation's error responses, each once, in order. */
export function errorStatuses(codes: readonly ForgeErrorCode[]): number[] {
  return [...new Set(codes.map(statusOf))].sort((a, b) => a - b);
}

function routeOf(operation: Operation, prefix: string): Hapi.ServerRoute {
  const { path, query, body } = operation.input;
  const validate = { ...(path && { params: path }), ...(query && { query }), ...(body && { payload: body }) };
  const response = operation.kind === 'call' ? responseOf(operation) : undefined;
  return {
    method: operation.http.method,
    path: prefix + operation.http.path,
    options: {
      id: operation.name,
      tags: ['api', ...operation.tags],
      description: operation.summary,
      ...(Object.keys(validate).length > 0 && { validate }),
      ...(response && { response }),
      ...(operation.feature && { ext: { onPreAuth: { method: requireFeature(operation.feature) } } }),
      plugins: {
        forge: {
          errors: errorResponses(...errorStatuses(operation.errors)),
          ...(operation.kind === 'stream' ? { stream: true } : {}),
          ...(operation.kind === 'download' ? { download: operation.http.contentType } : {}),
        },
      },
    },
    handler: handlerOf(operation),
  };
}

/** Before the input is validated: a user fixing a body should first learn the feature is off. */
function requireFeature(feature: FeatureName): Hapi.Lifecycle.Method {
  return (request, h) => {
    try {
      forgeOf(request).features.require(feature);
    } catch (error) {
      throw toBoom(error as ForgeError);
    }
    return h.continue;
  };
}

function handlerOf(operation: Operation): Hapi.Lifecycle.Method {
  switch (operation.kind) {
    case 'call':
      return callHandler(operation);
    case 'stream':
      return streamHandler(operation);
    case 'download':
      return downloadHandler(operation);
  }
}

function responseOf({ output, http }: CallOperation<unknown, object | void>): Hapi.RouteOptionsResponse | undefined {
  if (!output) return undefined;
  return http.status === 200 ? { schema: output } : { status: { [http.status]: output } };
}

function callHandler(operation: CallOperation<unknown, object | void>): Hapi.Lifecycle.Method {
  return async (request, h) => {
    const output = await operation.handler(inputOf(request), contextOf(request));
    if (output instanceof JsonText) return jsonTextResponse(request, h, output).code(operation.http.status);
    return (output ? h.response(output) : h.response()).code(operation.http.status);
  };
}

/**
 * JSON already serialized goes out as it is. While responses are validated (the test servers),
 * it is read back first, so hapi checks it against the operation's schema like any answer and a
 * serialization that drifted from the contract fails a test.
 */
function jsonTextResponse(request: Hapi.Request, h: Hapi.ResponseToolkit, output: JsonText): Hapi.ResponseObject {
  return forgeOf(request).config.validateResponses ? h.response(output.parse()) : h.response(output.bytes).type('application/json');
}

/** Answers the stream with Server-Sent Events: the feed's stored items from its start, then live ones. */
function streamHandler(operation: StreamOperation<unknown, unknown, string | number>): Hapi.Lifecycle.Method {
  return async (request, h) => {
    const start = await operation.handler(inputOf(request), contextOf(request));
    const { channel, response } = openSse(request, h);
    const logger = forgeOf(request).logger.child({ operation: operation.name, ...request.params });
    const stream = new FeedStream(channel, start.feed, start.from, logger);
    stream.start();
    const stopWatching = start.finishWhen?.((event, data) => stream.finish(event, data));
    if (stopWatching) channel.onClose(stopWatching);
    return response;
  };
}

/**
 * Answers with the file as the handler produces it: read on as the client takes it, so a long
 * log is never whole in memory. Errors found before the first byte are the usual error body.
 */
function downloadHandler(operation: DownloadOperation<unknown>): Hapi.Lifecycle.Method {
  return async (request, h) => {
    const { filename, body } = await operation.handler(inputOf(request), contextOf(request));
    const stream = Readable.from(body, { objectMode: false });
    stream.once('error', (error) => forgeOf(request).logger.error({ err: error, operation: operation.name }, 'a download failed part way'));
    return h.response(stream).type(operation.http.contentType).header('content-disposition', `attachment; filename="${filename}"`);
  };
}

/**
 * The operation's one flat input: path parameters, query and body merged. hapi has validated each
 * part against the operation's joi schemas, so this is the value its handler's input type names.
 */
function inputOf(request: Hapi.Request): Record<string, unknown> {
  const body = request.payload as Record<string, unknown> | null;
  return wellFormedInput({ ...request.params, ...request.query, ...body });
}

function contextOf(request: Hapi.Request): OperationContext {
  let clientGone: AbortController | undefined;
  return {
    services: forgeOf(request),
    lastEventId: lastEventId(request),
    // Made only for an operation that waits: the client leaving ends its wait.
    get signal() {
      if (!clientGone) {
        const controller = (clientGone = new AbortController());
        request.raw.res.once('close', () => controller.abort());
      }
      return clientGone.signal;
    },
  };
}
