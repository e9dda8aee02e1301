import { sample as sampleSchema } from 'openapi-sampler';
import { isJsonObject, resolveReference, walkOpenApiObjects, type JsonObject } from './openapi-objects.ts';
import { isJsonMediaType } from './prepared-spec.ts';

/** Where a body breaks its schema, as the validator reports it: a JSON pointer into the body. */
export interface BodyError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** Rounds of pruning before giving up; each round removes at least one value, and schemas nest far less deep. */
const MAX_PRUNE_ROUNDS = 16;

/** The JSON schema a document declares for an operation's answer with this status, $refs followed. */
function answerSchema(document: JsonObject, pathTemplate: string, method: string, status: number): JsonObject | undefined {
  const item = (document['paths'] as JsonObject)[pathTemplate] as JsonObject;
  const responses = (item[method.toLowerCase()] as JsonObject)['responses'] as JsonObject;
  const declared = responses[String(status)] ?? responses[`${Math.floor(status / 100)}XX`] ?? responses['default'];
  const response = isJsonObject(declared) && typeof declared['$ref'] === 'string' ? resolveReference(document, declared['$ref']) : declared;
  const content = isJsonObject(response) && isJsonObject(response['content']) ? response['content'] : {};
  const json = Object.keys(content).find(isJsonMediaType);
  const schema = json === undefined ? undefined : (content[json] as JsonObject)['schema'];
  return isJsonObject(schema) ? schema : undefined;
}

/**
 * Removes the values the errors point at, in place: an array item drops out, an object property
 * goes. A required property removed makes its parent fail next round, which then goes in turn.
 */
function prune(body: unknown, errors: readonly BodyError[]): void {
  const marker = Symbol('pruned');
  const holders = new Set<unknown>();
  for (const error of errors) {
    const pointer = error.keyword === 'additionalProperties' ? `${error.instancePath}/${String(error.params['additionalProperty'])}` : error.instancePath;
    const segments = pointer.split('/').slice(1).map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = segments.pop();
    let holder: unknown = body;
    for (const segment of segments) holder = isJsonObject(holder) || Array.isArray(holder) ? (holder as Record<string, unknown>)[segment] : undefined;
    if (last === undefined || !(isJsonObject(holder) || Array.isArray(holder))) continue;
    (holder as Record<string, unknown>)[last] = marker;
    holders.add(holder);
  }
  for (const holder of holders) {
    if (Array.isArray(holder)) holder.splice(0, holder.length, ...holder.filter((item) => item !== marker));
    else for (const [key, value] of Object.entries(holder as JsonObject)) if (value === marker) delete (holder as JsonObject)[key];
  }
}

const withoutSchemaExamples = (document: JsonObject) => {
  const copy = structuredClone(document);
  walkOpenApiObjects(copy, 'document', (object, kind) => {
    if (kind === 'schema') delete object['example'];
  });
  return copy;
};

/**
 * A body valid against an operation's answer schema. openapi-sampler builds it, from the
 * vendor's `example` values when it can (they look real) and from the types alone when those
 * break their own schema; what it still gets wrong (a `pattern` it cannot satisfy, a recursive
 * schema cut short) is pruned until the body validates. Returns the validator's last complaint
 * instead when nothing valid is left.
 */
export function sampleAnswer(
  document: JsonObject,
  operation: { pathTemplate: string; method: string },
  status: number,
  errorsOf: (body: unknown) => BodyError[],
): { body: unknown } | { failure: string } {
  let complaint = 'the spec declares no JSON body for that answer';
  for (const source of [document, withoutSchemaExamples(document)]) {
    const schema = answerSchema(source, operation.pathTemplate, operation.method, status);
    if (schema === undefined) break;
    const body = sampleSchema(schema as Parameters<typeof sampleSchema>[0], { skipWriteOnly: true, quiet: true }, source);
    let errors = errorsOf(body);
    for (let round = 0; errors.length > 0 && round < MAX_PRUNE_ROUNDS && !errors.some((error) => error.instancePath === ''); round++) {
      prune(body, errors);
      errors = errorsOf(body);
    }
    if (errors.length === 0) return { body };
    complaint = `openapi-sampler's body fails the spec at ${[...new Set(errors.map((error) => error.instancePath || 'its root'))].slice(0, 5).join(', ')}`;
  }
  return { failure: complaint };
}
