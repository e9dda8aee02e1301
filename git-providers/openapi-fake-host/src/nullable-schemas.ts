import { forEachChildObject, type JsonObject, type OpenApiObjectKind } from './openapi-objects.ts';

/**
 * Lets null stand wherever a document's schemas allow a value, for `lenientNulls`: the recorded
 * GitLab spec leaves out `nullable` on fields GitLab sends as null. Only nullness is relaxed; a
 * value that is not null is checked as strictly as before.
 *
 * Typed schemas get `nullable: true` (and null joins an `enum`, which `nullable` does not widen);
 * a `$ref` is left alone because its target is rewritten itself; a `oneOf` is wrapped so null
 * passes once, since with every branch nullable it would match all of them and fail "exactly one".
 * Children are rewritten before their parent, so a wrapper is never visited again.
 */
export function makeEverySchemaNullable(document: JsonObject): void {
  const visit = (object: JsonObject, kind: OpenApiObjectKind) => {
    forEachChildObject(object, kind, visit);
    if (kind === 'schema') allowNull(object);
  };
  visit(document, 'document');
}

function allowNull(schema: JsonObject): void {
  if (typeof schema['$ref'] === 'string') return;
  if (Array.isArray(schema['oneOf'])) {
    const original = { ...schema };
    for (const key of Object.keys(schema)) delete schema[key];
    schema['anyOf'] = [{ enum: [null] }, original];
    return;
  }
  const type = schema['type'];
  if (Array.isArray(type)) {
    if (!type.includes('null')) schema['type'] = [...type, 'null'];
  } else if (typeof type === 'string') {
    schema['nullable'] = true;
  } else {
    return;
  }
  const values = schema['enum'];
  if (Array.isArray(values) && !values.includes(null)) schema['enum'] = [...values, null];
}
