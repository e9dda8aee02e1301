import { timingSafeEqual } from 'node:crypto';
import type { Boom } from '@hapi/boom';
import Hapi from '@hapi/hapi';
import type { ValidationError } from 'joi';
import { ForgeError } from '@forge-core/sdk';
import type { Forge } from '../forge.ts';
import { mountMcp } from '../mcp/http-endpoint.ts';
import { mountMetrics } from '../observability/metrics-route.ts';
import { isPublicDocsPath, mountApiDocs } from './api-docs.ts';
import { serveRequestsInContext } from '../observability/request-context.ts';
import { observeRequests } from '../observability/request-observer.ts';
import { errorBodyOf, toBoom, validationBoom } from './error-response.ts';
import { guardHostAndOrigin } from './host-and-origin-guard.ts';
import { guardJsonBodies } from './json-body-guard.ts';
import { skipCompressionOnLoopback } from './loopback-compression.ts';
import { operations } from './operations/catalogue.ts';
import { createListenerWithRequestDeadline } from './request-deadline.ts';
import { mountRest } from './rest-mount.ts';

export const MAX_PAYLOAD_BYTES = 1024 * 1024;

/**
 * Builds the HTTP server: every operation of the catalogue as a route under /api/v1, joi on
 * every input, and one error body for every failure.
 */
export async function buildServer(forge: Forge): Promise<Hapi.Server> {
  const { config } = forge;
  const listener = createListenerWithRequestDeadline(config.requestTimeoutMs, (socket) =>
    forge.logger.info({ remoteAddress: socket.remoteAddress, timeoutMs: config.requestTimeoutMs }, 'request not received in time: answered 408, closed'),
  );
  serveRequestsInContext(listener);
  const server = Hapi.server({
    listener,
    host: config.host,
    port: config.port,
    routes: {
      // JSON only: a form or text/plain POST is what a foreign web page can send without a CORS
      // preflight, and it must not be able to drive a server on loopback (see json-body-guard.ts).
      // The listener's request deadline bounds the body; hapi's own timeout would drain it first.
      payload: { maxBytes: MAX_PAYLOAD_BYTES, allow: 'application/json', timeout: false },
      // gzip's fastest level: JSON shrinks nearly as well (a 1,000-task page 369 → 8 KB, against
      // 7 KB at the default 6) for under half the CPU.
      compression: { gzip: { level: 1 } },
      // Pages at the configured origins may call the API from a browser; no other page gets CORS.
      cors: config.allowedOrigins.length > 0 ? { origin: config.allowedOrigins, additionalHeaders: ['last-event-id'] } : false,
      validate: {
        // Every problem of the part, not only the first: a person fixes them all in one go.
        options: { abortEarly: false },
        // hapi hands over joi's error turned into a Boom, with the part of the request it checked.
        failAction: async (_request, _h, error) => {
          const boom = error as Boom & ValidationError & { output: { payload: { validation?: { source?: string } } } };
          throw validationBoom(boom.output.payload.validation?.source ?? 'input', boom);
        },
      },
      response: {
        sample: forge.config.validateResponses ? 100 : 0,
        failAction: async (request, _h, error) => {
          request.log(['error'], error);
          forge.logger.error({ err: error, path: request.path }, 'response does not match its schema');
          throw error;
        },
      },
    },
  });
  server.app = forge;

  guardHostAndOrigin(server, config);
  if (config.apiToken) requireToken(server, config.apiToken);
  guardJsonBodies(server);
  if (!config.compressLoopback) skipCompressionOnLoopback(server);

  server.ext('onPreResponse', (request, h) => {
    const response = request.response;
    if (!('isBoom' in response) || !response.isBoom) return h.continue;
    if (response instanceof ForgeError) return respondWith(h, toBoom(response));
    if (response.output.statusCode >= 500 && !(response as { forge?: unknown }).forge) {
      forge.logger.error({ err: response, method: request.method, path: request.path }, 'request failed');
    }
    return respondWith(h, response);
  });

  mountRest(server, operations, '/api/v1');
  mountMcp(server, forge);
  mountMetrics(server, forge.metrics);
  mountApiDocs(server);
  observeRequests(server, forge.logger, forge.metrics);
  return server;
}

function respondWith(h: Hapi.ResponseToolkit, boom: Boom) {
  const body = errorBodyOf(boom);
  const response = h.response(body).code(boom.output.statusCode);
  for (const [name, value] of Object.entries(boom.output.headers)) {
    if (name.toLowerCase() !== 'content-type' && value !== undefined) response.header(name, String(value));
  }
  return response.takeover();
}

/** Every route but health and the API's documentation needs `Authorization: Bearer <token>` when a token is configured. */
function requireToken(server: Hapi.Server, token: string) {
  const expected = Buffer.from(token);
  server.ext('onRequest', (request, h) => {
    if (request.path === '/api/v1/health' || isPublicDocsPath(request.path)) return h.continue;
    // The scheme name is case-insensitive (RFC 9110 §11.1): `bearer` is as good as `Bearer`.
    const credentials = /^bearer +(.*)$/i.exec(String(request.headers.authorization ?? ''))?.[1]?.trim() ?? '';
    const given = Buffer.from(credentials);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return h.continue;
    throw toBoom(new ForgeError('FORGE_UNAUTHORIZED', 'Send the API token as "Authorization: Bearer <token>".'));
  });
}
