/**
 * Where each kind of OpenAPI 3 object sits inside another. The extract, the fake host's spec
 * preparation and its lenient-null rewrite all walk documents; they share this one map so a key
 * is read as a name (a property, a status code, a header) or as a keyword by its position, never
 * by its spelling: GitHub has a component header called "x-rate-limit-limit" and a schema
 * property called "$ref", neither of which is an extension or a reference.
 */
export type OpenApiObjectKind =
  | 'document'
  | 'pathItem'
  | 'operation'
  | 'parameter'
  | 'requestBody'
  | 'mediaType'
  | 'encoding'
  | 'response'
  | 'header'
  | 'example'
  | 'link'
  | 'callback'
  | 'schema'
  | 'securityScheme'
  | 'components';

export type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** `components` sections and the kind of object each holds. */
export const COMPONENT_KINDS: Readonly<Record<string, OpenApiObjectKind>> = {
  schemas: 'schema',
  responses: 'response',
  parameters: 'parameter',
  examples: 'example',
  requestBodies: 'requestBody',
  headers: 'header',
  securitySchemes: 'securityScheme',
  links: 'link',
  callbacks: 'callback',
  pathItems: 'pathItem',
};

/** Keys of each kind whose value is a map of names to objects of a kind. */
const MAPS: Partial<Record<OpenApiObjectKind, Record<string, OpenApiObjectKind>>> = {
  document: { paths: 'pathItem', webhooks: 'pathItem' },
  operation: { responses: 'response', callbacks: 'callback' },
  parameter: { content: 'mediaType', examples: 'example' },
  requestBody: { content: 'mediaType' },
  mediaType: { examples: 'example', encoding: 'encoding' },
  encoding: { headers: 'header' },
  response: { headers: 'header', content: 'mediaType', links: 'link' },
  header: { content: 'mediaType', examples: 'example' },
  callback: {},
  schema: { properties: 'schema', patternProperties: 'schema', $defs: 'schema', definitions: 'schema' },
  components: COMPONENT_KINDS,
};

/** The maps that are OpenAPI objects themselves (Paths, Responses), so an `x-` key in them is an extension, not an entry. */
const EXTENSIBLE_MAPS = new Set(['document.paths', 'document.webhooks', 'operation.responses']);

/** Keys of each kind whose value is one object, or a list of objects, of a kind. */
const SINGLES: Partial<Record<OpenApiObjectKind, Record<string, OpenApiObjectKind>>> = {
  document: { components: 'components' },
  pathItem: { parameters: 'parameter', ...Object.fromEntries(HTTP_METHODS.map((method) => [method, 'operation' as const])) },
  operation: { parameters: 'parameter', requestBody: 'requestBody' },
  parameter: { schema: 'schema' },
  mediaType: { schema: 'schema' },
  header: { schema: 'schema' },
  schema: { items: 'schema', additionalProperties: 'schema', not: 'schema', allOf: 'schema', anyOf: 'schema', oneOf: 'schema', prefixItems: 'schema' },
};

/**
 * Calls `visit` with every OpenAPI object directly inside `object` (a `$ref` object counts as
 * one, at the position it stands for) and its kind. A Callback's map keys are expressions, each
 * holding a Path Item.
 */
export function forEachChildObject(object: JsonObject, kind: OpenApiObjectKind, visit: (child: JsonObject, kind: OpenApiObjectKind) => void): void {
  if (kind === 'callback') {
    for (const [key, value] of Object.entries(object)) if (key !== '$ref' && isJsonObject(value)) visit(value, 'pathItem');
    return;
  }
  for (const [key, childKind] of Object.entries(SINGLES[kind] ?? {})) {
    const value = object[key];
    if (Array.isArray(value)) for (const item of value) if (isJsonObject(item)) visit(item, childKind);
    if (isJsonObject(value)) visit(value, childKind);
  }
  for (const [key, childKind] of Object.entries(MAPS[kind] ?? {})) {
    const map = object[key];
    if (!isJsonObject(map)) continue;
    const extensible = EXTENSIBLE_MAPS.has(`${kind}.${key}`);
    for (const [name, value] of Object.entries(map)) if (!(extensible && name.startsWith('x-')) && isJsonObject(value)) visit(value, childKind);
  }
}

/** Every object of a document, parents before children, with its kind. */
export function walkOpenApiObjects(root: JsonObject, kind: OpenApiObjectKind, visit: (object: JsonObject, kind: OpenApiObjectKind) => void): void {
  visit(root, kind);
  forEachChildObject(root, kind, (child, childKind) => walkOpenApiObjects(child, childKind, visit));
}

/** The local references an object makes itself (not its children's): its `$ref` and a discriminator's mapping targets. */
export function ownReferences(object: JsonObject, kind: OpenApiObjectKind): string[] {
  const refs = typeof object['$ref'] === 'string' ? [object['$ref']] : [];
  const discriminator = object['discriminator'];
  if (kind === 'schema' && isJsonObject(discriminator) && isJsonObject(discriminator['mapping'])) {
    for (const target of Object.values(discriminator['mapping'])) if (typeof target === 'string' && target.startsWith('#')) refs.push(target);
  }
  return refs;
}

/** The segments of a local reference ("#/components/schemas/a~1b" → components, schemas, a/b), or null for another document's. */
export function referenceSegments(ref: string): string[] | null {
  if (!ref.startsWith('#')) return null;
  const pointer = decodeURIComponent(ref.slice(1));
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return null;
  return pointer.slice(1).split('/').map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The value a local reference points at, or undefined. */
export function resolveReference(document: JsonObject, ref: string): unknown {
  const segments = referenceSegments(ref);
  if (segments === null) return undefined;
  let value: unknown = document;
  for (const segment of segments) {
    if (Array.isArray(value)) value = value[Number(segment)];
    else if (isJsonObject(value) && Object.hasOwn(value, segment)) value = value[segment];
    else return undefined;
  }
  return value;
}
