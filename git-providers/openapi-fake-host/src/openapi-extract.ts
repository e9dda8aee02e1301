import {
  COMPONENT_KINDS,
  HTTP_METHODS,
  isJsonObject,
  ownReferences,
  referenceSegments,
  resolveReference,
  walkOpenApiObjects,
  type HttpMethod,
  type JsonObject,
  type OpenApiObjectKind,
} from './openapi-objects.ts';

/** Where an extract came from, written into its `info["x-extracted-from"]`. */
export interface ExtractProvenance {
  /** The npm package spec ("@octokit/openapi@23.0.2") or the file path as the config gives it. */
  source: string;
  /** The file inside the npm package. */
  file?: string;
  /** The day of the extraction, YYYY-MM-DD. */
  date: string;
}

/**
 * Extensions kept although vendor extensions are dropped: GitHub's `x-multi-segment` says a path
 * parameter may hold slashes, which is part of the contract, not documentation.
 */
const KEPT_EXTENSIONS = new Set(['x-multi-segment']);

/** Kinds whose `example`/`examples` are sample payloads: bulky (GitHub's are whole pull requests) and never validated. */
const EXAMPLE_HOLDERS = new Set<OpenApiObjectKind>(['parameter', 'header', 'mediaType']);

const OPERATION_PATTERN = /^([A-Za-z]+)\s+(\/\S*)$/;

/**
 * Drops what a validator never reads and a reader of the extract does not need: vendor
 * extensions (GitHub's `x-github`, Gitea's `x-go-name`) and example payloads. Schema `example`
 * values stay: they are short and make `FakeHost.sample()` answers look like the vendor's.
 */
function trim(object: JsonObject, kind: OpenApiObjectKind): void {
  for (const key of Object.keys(object)) {
    if (key.startsWith('x-') && !KEPT_EXTENSIONS.has(key)) delete object[key];
  }
  if (EXAMPLE_HOLDERS.has(kind)) {
    delete object['example'];
    delete object['examples'];
  }
}

/** Why an operation is not in the spec, with what the spec has nearby. */
function missingOperation(paths: JsonObject, method: HttpMethod, path: string): string {
  const label = `${method.toUpperCase()} ${path}`;
  const item = paths[path];
  if (isJsonObject(item)) {
    const methods = HTTP_METHODS.filter((candidate) => isJsonObject(item[candidate])).map((candidate) => candidate.toUpperCase());
    return `${label}: the spec has this path only with ${methods.join(', ') || 'no operation'}`;
  }
  const shape = (template: string) => template.replace(/\{[^}]*\}/g, '{}');
  const similar = Object.keys(paths).filter((candidate) => shape(candidate) === shape(path));
  return similar.length > 0 ? `${label}: not in the spec; it has ${similar.join(', ')}` : `${label}: not in the spec`;
}

function failWith(heading: string, problems: readonly string[]): never {
  throw new Error(`${heading}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
}

/** Every object key sorted, at every depth, so the same extract is always the same bytes. */
function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (!isJsonObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeysDeep(value[key])]));
}

/**
 * A smaller OpenAPI document with only the listed operations ("METHOD /path/template"), their
 * path-level parameters, every component they reach through `$ref` however deep, and the
 * security schemes they name. Throws naming every operation the spec lacks and every reference
 * that cannot be followed.
 */
export function extractOperations(spec: JsonObject, operations: readonly string[], provenance: ExtractProvenance): JsonObject {
  if (typeof spec['openapi'] !== 'string' || !spec['openapi'].startsWith('3.')) {
    failWith('the source is not an OpenAPI 3 document', [`its "openapi" field is ${JSON.stringify(spec['openapi'] ?? null)}`]);
  }
  const paths = isJsonObject(spec['paths']) ? spec['paths'] : {};
  const keptPaths: Record<string, JsonObject> = {};
  const problems: string[] = [];
  for (const text of operations) {
    const match = OPERATION_PATTERN.exec(text.trim());
    const method = match?.[1]?.toLowerCase() as HttpMethod | undefined;
    const path = match?.[2];
    if (method === undefined || path === undefined || !HTTP_METHODS.includes(method)) {
      problems.push(`${JSON.stringify(text)} is not "METHOD /path/template"`);
      continue;
    }
    const item = paths[path];
    const operation = isJsonObject(item) ? item[method] : undefined;
    if (!isJsonObject(item) || !isJsonObject(operation)) {
      problems.push(missingOperation(paths, method, path));
      continue;
    }
    if (item['$ref'] !== undefined) {
      problems.push(`${method.toUpperCase()} ${path}: its path item is a $ref, which the extract does not follow`);
      continue;
    }
    keptPaths[path] ??= Object.fromEntries(Object.entries(item).filter(([key]) => !(HTTP_METHODS as readonly string[]).includes(key)));
    (keptPaths[path] as JsonObject)[method] = structuredClone(operation);
  }
  if (problems.length > 0) failWith(`${problems.length} of the ${operations.length} operations cannot be extracted`, problems);

  const sourceComponents = isJsonObject(spec['components']) ? spec['components'] : {};
  const components: Record<string, JsonObject> = {};
  const pending: { object: JsonObject; kind: OpenApiObjectKind }[] = Object.values(keptPaths).map((object) => ({ object, kind: 'pathItem' }));
  const include = (ref: string) => {
    const segments = referenceSegments(ref);
    const [root, section, name] = segments ?? [];
    if (segments === null || root !== 'components' || section === undefined || name === undefined || COMPONENT_KINDS[section] === undefined) {
      problems.push(`${ref}: only references into this document's components are followed`);
      return;
    }
    if (components[section]?.[name] !== undefined) return;
    const target = isJsonObject(sourceComponents[section]) ? sourceComponents[section][name] : undefined;
    if (!isJsonObject(target) || resolveReference(spec, ref) === undefined) {
      problems.push(`${ref}: points at nothing in the source`);
      return;
    }
    const copy = structuredClone(target);
    (components[section] ??= {})[name] = copy;
    pending.push({ object: copy, kind: COMPONENT_KINDS[section] });
  };
  const usedSchemes = new Set<string>();
  const noteSchemes = (requirements: unknown) => {
    if (Array.isArray(requirements)) for (const requirement of requirements) if (isJsonObject(requirement)) Object.keys(requirement).forEach((name) => usedSchemes.add(name));
  };
  noteSchemes(spec['security']);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    walkOpenApiObjects(next.object, next.kind, (object, kind) => {
      trim(object, kind);
      if (kind === 'operation') noteSchemes(object['security']);
      for (const ref of ownReferences(object, kind)) include(ref);
    });
  }
  const schemes = isJsonObject(sourceComponents['securitySchemes']) ? sourceComponents['securitySchemes'] : {};
  for (const name of usedSchemes) {
    if (isJsonObject(schemes[name])) (components['securitySchemes'] ??= {})[name] = structuredClone(schemes[name]);
    else problems.push(`security scheme "${name}" is required by an operation but not defined`);
  }
  if (problems.length > 0) failWith('the extract would not be self-contained', [...new Set(problems)]);

  const info = isJsonObject(spec['info']) ? spec['info'] : {};
  const extractedFrom = { source: provenance.source, ...(provenance.file === undefined ? {} : { file: provenance.file }), operations: [...operations], date: provenance.date };
  return {
    openapi: spec['openapi'],
    info: sortKeysDeep({ ...info, 'x-extracted-from': extractedFrom }),
    ...(spec['servers'] === undefined ? {} : { servers: sortKeysDeep(spec['servers']) }),
    ...(spec['security'] === undefined ? {} : { security: sortKeysDeep(spec['security']) }),
    paths: sortKeysDeep(keptPaths),
    ...(Object.keys(components).length === 0 ? {} : { components: sortKeysDeep(components) }),
  };
}
