import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type Hapi from '@hapi/hapi';
import Joi from 'joi';
import { CORE_VERSION } from '../core-package.ts';
import type { JsonSchema } from './json-schema.ts';

export const OPENAPI_PATH = '/api/v1/openapi.json';
export const DOCS_PATH = '/api/v1/docs';

/** Swagger UI's files, served from the installed package: the page needs no CDN and works offline. */
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

// The page's own script is a file too: a page with no inline script keeps a strict CSP possible.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Forge Core API</title>
<link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/swagger-ui-standalone-preset.js"></script>
<script src="${DOCS_PATH}/start.js"></script>
</body>
</html>
`;

// "Authorize" takes the API token (the spec's bearer scheme); "Try it out" sends it with each call.
const START = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
  persistAuthorization: false,
  tryItOutEnabled: false,
});
`;

/**
 * The contract where the server runs (decision 0037): GET /api/v1/openapi.json, built from the
 * routes as spec/openapi.json is, and a browsable page at /api/v1/docs (Swagger UI from the
 * installed swagger-ui-dist). Plain routes, not operations: neither is JSON for a client to act on,
 * nor a tool. They need no token: the contract is public (it is in the repository) and a browser
 * cannot send a bearer token to open a page; the page's "Authorize" sends it with every call.
 */
export function mountApiDocs(server: Hapi.Server): void {
  let spec: Promise<JsonSchema> | null = null;
  const noInput = { validate: { query: Joi.object({}) } };
  server.route([
    {
      method: 'GET',
      path: OPENAPI_PATH,
      options: { description: 'The OpenAPI document of this server', ...noInput },
      // Built once, on the first request: every route is mounted by then, and the builder (with
      // joi-to-json) is not loaded by a start that never serves it.
      handler: async (_request, h) => {
        spec ??= import('./openapi/build-openapi.ts').then(({ buildOpenApi }) => buildOpenApi(server, CORE_VERSION));
        return h.response(await spec).type('application/json');
      },
    },
    {
      method: 'GET',
      path: DOCS_PATH,
      options: { description: 'The API, browsable', ...noInput },
      handler: (_request, h) => h.response(PAGE).type('text/html; charset=utf-8'),
    },
    {
      method: 'GET',
      path: `${DOCS_PATH}/{file}`,
      options: { description: 'The browsable page’s files', validate: { params: Joi.object({ file: Joi.string().valid('start.js', ...Object.keys(ASSETS)) }), query: Joi.object({}) } },
      handler: (request, h) => {
        const file = request.params.file as string;
        if (file === 'start.js') return h.response(START).type('text/javascript; charset=utf-8');
        return h.response(asset(file)).type(ASSETS[file]!).header('cache-control', 'public, max-age=86400');
      },
    },
  ]);
}

const loaded = new Map<string, Buffer>();
function asset(file: string): Buffer {
  let body = loaded.get(file);
  if (!body) loaded.set(file, (body = readFileSync(join(SWAGGER_UI_DIR, file))));
  return body;
}

/** Whether a path is one of these, which need no token. */
export function isPublicDocsPath(path: string): boolean {
  return path === OPENAPI_PATH || path === DOCS_PATH || path.startsWith(`${DOCS_PATH}/`);
}
