import { readFile } from 'node:fs/promises';
import { HTTP_METHODS, isJsonObject, ownReferences, resolveReference, walkOpenApiObjects, type JsonObject } from './openapi-objects.ts';

/** `application/json`, `application/vnd.github+json`, `application/json; charset=utf-8`. */
export function isJsonMediaType(mediaType: string): boolean {
  const essence = mediaType.split(';')[0]?.trim().toLowerCase() ?? '';
  return essence === 'application/json' || /^application\/[\w.+-]*\+json$/.test(essence);
}

/** The name a handler is keyed by when the spec gives an operation no operationId (Bitbucket's spec gives most none). */
export const operationKey = (method: string, pathTemplate: string) => `${method.toUpperCase()} ${pathTemplate}`;

/**
 * openapi-backend validates only the `application/json` entry of a content map; a vendor that
 * writes `application/json; charset=utf-8` or a `+json` type would go unvalidated, so the JSON
 * entry is also filed under the plain name.
 */
function aliasJsonContent(object: JsonObject): void {
  const content = object['content'];
  if (!isJsonObject(content) || content['application/json'] !== undefined) return;
  const json = Object.keys(content).find(isJsonMediaType);
  if (json !== undefined) content['application/json'] = content[json];
}

/**
 * Query parameters named by the `apiKey` security schemes an operation accepts (Gitea's
 * `access_token`, `token`, `sudo`). They are part of what the spec allows a client to send, but
 * are not listed as parameters, so strict query validation would call them unknown. Nothing
 * makes them required: whether a request is authenticated is the `authenticate` hook's call.
 */
function securityQueryParameters(document: JsonObject, operation: JsonObject, declared: readonly unknown[]): JsonObject[] {
  const components = isJsonObject(document['components']) ? document['components'] : {};
  const schemes = isJsonObject(components['securitySchemes']) ? components['securitySchemes'] : {};
  const requirements = Array.isArray(operation['security']) ? operation['security'] : Array.isArray(document['security']) ? document['security'] : [];
  const names = new Set<string>();
  for (const requirement of requirements) {
    if (!isJsonObject(requirement)) continue;
    for (const schemeName of Object.keys(requirement)) {
      const scheme = schemes[schemeName];
      if (isJsonObject(scheme) && scheme['type'] === 'apiKey' && scheme['in'] === 'query' && typeof scheme['name'] === 'string') names.add(scheme['name']);
    }
  }
  for (const parameter of declared) {
    const resolved = isJsonObject(parameter) && typeof parameter['$ref'] === 'string' ? resolveReference(document, parameter['$ref']) : parameter;
    if (isJsonObject(resolved) && resolved['in'] === 'query' && typeof resolved['name'] === 'string') names.delete(resolved['name']);
  }
  return [...names].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } }));
}

function unresolvableReferences(document: JsonObject): string[] {
  const problems: string[] = [];
  walkOpenApiObjects(document, 'document', (object, kind) => {
    for (const ref of ownReferences(object, kind)) {
      if (!ref.startsWith('#')) problems.push(`${ref} points into another document; give the fake host one self-contained document (an extract)`);
      else if (resolveReference(document, ref) === undefined) problems.push(`${ref} points at nothing`);
    }
  });
  return [...new Set(problems)];
}

async function loadSpec(spec: object | URL): Promise<JsonObject> {
  if (!(spec instanceof URL)) return structuredClone(spec) as JsonObject;
  return JSON.parse(await readFile(spec, 'utf8')) as JsonObject;
}

/**
 * The spec as the fake host validates with it: a private copy in which every operation has an
 * operationId (its handler key when the vendor gave none), JSON content is found under
 * `application/json`, and query-string API keys are allowed parameters. Throws, naming the
 * cause, for a document the fake host cannot check requests against.
 */
export async function prepareSpec(spec: object | URL): Promise<JsonObject> {
  const document = await loadSpec(spec);
  if (typeof document['openapi'] !== 'string' || !document['openapi'].startsWith('3.')) {
    throw new Error(`startFakeHost: spec must be an OpenAPI 3 document; its "openapi" field is ${JSON.stringify(document['openapi'] ?? null)}`);
  }
  const unresolvable = unresolvableReferences(document);
  if (unresolvable.length > 0) throw new Error(`startFakeHost: the spec has references that cannot be followed:\n${unresolvable.map((line) => `  - ${line}`).join('\n')}`);
  const paths = isJsonObject(document['paths']) ? document['paths'] : {};
  for (const [pathTemplate, item] of Object.entries(paths)) {
    if (!isJsonObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isJsonObject(operation)) continue;
      operation['operationId'] ??= operationKey(method, pathTemplate);
      const declared = [...(Array.isArray(operation['parameters']) ? operation['parameters'] : []), ...(Array.isArray(item['parameters']) ? item['parameters'] : [])];
      const queryKeys = securityQueryParameters(document, operation, declared);
      if (queryKeys.length > 0) operation['parameters'] = [...(Array.isArray(operation['parameters']) ? operation['parameters'] : []), ...queryKeys];
    }
  }
  walkOpenApiObjects(document, 'document', (object, kind) => {
    if (kind === 'requestBody' || kind === 'response' || kind === 'parameter' || kind === 'header') aliasJsonContent(object);
  });
  return document;
}
