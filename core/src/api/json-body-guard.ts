import type { IncomingHttpHeaders } from 'node:http';
import type Hapi from '@hapi/hapi';
import { ForgeError } from '@forge-core/sdk';
import { toBoom } from './error-response.ts';

/**
 * Refuses a request body the route would not get as JSON, before any of it is read.
 *
 * hapi's `payload.allow` is only checked when a Content-Type is present; without one hapi parses
 * the body as JSON anyway. A foreign web page can send exactly that without a CORS preflight
 * (`fetch(url, {mode: 'no-cors', body: blob})`), so every body must say it is JSON. Only
 * `application/json` (any parameters, such as charset) counts: no route takes a `+json` variant,
 * and `application/*+json` is not what a client of this API would mean (spec/decisions/0014).
 *
 * A route that declares no payload validation takes no body at all, so a body sent to it is a
 * mistake worth saying out loud (400) rather than ignoring. An empty body with
 * `Content-Type: application/json` is no body: `curl -XPOST -H 'content-type: application/json'`
 * keeps working on those routes.
 */
export function guardJsonBodies(server: Hapi.Server): void {
  server.ext('onPreAuth', (request, h) => {
    const headers = request.raw.req.headers;
    if (!announcesBody(headers)) return h.continue;
    const contentType = headers['content-type'];
    if (!isJson(contentType)) {
      throw toBoom(
        new ForgeError(
          'FORGE_UNSUPPORTED_MEDIA_TYPE',
          contentType
            ? `The request body is ${contentType.split(';')[0]!.trim().slice(0, 100)}; send JSON with Content-Type: application/json.`
            : 'The request has a body but no Content-Type; send JSON with Content-Type: application/json.',
          { contentType: contentType ?? null },
        ),
      );
    }
    if (!request.route.settings.validate?.payload && !takesRawJson(request.route)) {
      const route = `${request.route.method.toUpperCase()} ${request.route.path}`;
      throw toBoom(
        new ForgeError('FORGE_VALIDATION_FAILED', `${route} takes no request body; send the request without one.`, {
          source: 'payload',
          problems: [{ path: '', message: `${route} takes no request body` }],
        }),
      );
    }
    return h.continue;
  });
}

/** Whether the request carries body bytes: a positive Content-Length or any Transfer-Encoding (chunked). */
function announcesBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && Number(length) > 0;
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/** A route that reads its JSON body itself (the MCP endpoint: its SDK parses JSON-RPC) says so in its plugin settings. */
function takesRawJson(route: Hapi.RequestRoute): boolean {
  return (route.settings.plugins as { forge?: { rawJsonBody?: boolean } } | undefined)?.forge?.rawJsonBody === true;
}
