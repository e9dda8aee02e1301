import type Hapi from '@hapi/hapi';
import type Joi from 'joi';
import { SDK_CONTRACT_VERSION } from '@forge-core/sdk';
import { jsonSchemaOf, type JsonSchema } from '../json-schema.ts';
import { errorBody } from '../schemas.ts';

interface RoutePlugins {
  forge?: { errors?: Record<number, { description: string }>; stream?: boolean; download?: string };
}

/** The OpenAPI 3.0 document of the running routes, built from the joi schemas they validate with. */
export function buildOpenApi(server: Hapi.Server, version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  const routes = server.table().sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  for (const route of routes) {
    const settings = route.settings;
    if (!settings.tags?.includes('api')) continue;
    const validate = settings.validate ?? {};
    const plugins = (settings.plugins ?? {}) as RoutePlugins;
    const parameters = [
      ...parametersOf(validate.params as Joi.ObjectSchema | undefined, 'path'),
      ...parametersOf(validate.query as Joi.ObjectSchema | undefined, 'query'),
    ];
    // Every API route is an operation of the catalogue, named by it (rest-mount.ts).
    if (!settings.id) throw new Error(`${route.method.toUpperCase()} ${route.path} is not mounted from the operation catalogue: it has no id.`);
    const operation: Record<string, unknown> = {
      operationId: settings.id,
      summary: settings.description,
      tags: settings.tags.filter((t) => t !== 'api'),
      ...(parameters.length ? { parameters } : {}),
    };
    if (validate.payload) {
      const payload = validate.payload as Joi.Schema;
      // A payload schema that accepts null (no body sent) makes the body optional.
      const required = payload.validate(null).error !== undefined;
      operation.requestBody = { required, content: { 'application/json': { schema: toJson(payload) } } };
    }
    operation.responses = responsesOf(route, plugins);
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Forge Core API',
      version,
      description: `REST API of Forge Core. Plugin contract version ${SDK_CONTRACT_VERSION}. Every error answers {"error":{"code","message","details"}}.`,
    },
    // Relative: the server that serves this document (the paths carry /api/v1), so the docs page
    // tries routes on the server it was opened from, whatever its address and port.
    servers: [{ url: '/', description: 'the server that serves this document' }],
    components: {
      schemas: { Error: toJson(errorBody) },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Required when the server runs with FORGE_API_TOKEN' } },
    },
    // The bearer token, or none when the server runs without one; clients (the docs page's
    // Authorize) send it only to operations that name the scheme.
    security: [{ bearer: [] }, {}],
    paths,
  };
}

function responsesOf(route: Hapi.RequestRoute, plugins: RoutePlugins): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  const response = route.settings.response as { schema?: Joi.Schema; status?: Record<number, Joi.Schema> } | undefined;
  if (plugins.forge?.stream) {
    responses['200'] = { description: 'A text/event-stream of events', content: { 'text/event-stream': { schema: { type: 'string' } } } };
  } else if (plugins.forge?.download) {
    responses['200'] = { description: 'A file, sent as it is read', content: { [plugins.forge.download]: { schema: { type: 'string' } } } };
  } else if (response?.status && Object.keys(response.status).length) {
    for (const [status, schema] of Object.entries(response.status)) {
      responses[status] = { description: 'Success', content: { 'application/json': { schema: toJson(schema) } } };
    }
  } else if (response?.schema) {
    responses['200'] = { description: 'Success', content: { 'application/json': { schema: toJson(response.schema) } } };
  } else {
    responses['204'] = { description: 'Done; no content' };
  }
  for (const [status, { description }] of Object.entries(plugins.forge?.errors ?? {})) {
    responses[status] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return responses;
}

function parametersOf(schema: Joi.ObjectSchema | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = toJson(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    ...(property.description ? { description: property.description } : {}),
    schema: property,
  }));
}

function toJson(schema: Joi.Schema): JsonSchema {
  return jsonSchemaOf(schema, 'open-api');
}
