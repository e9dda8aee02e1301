import type { AjvCustomizer } from 'openapi-backend';
import { walkOpenApiObjects, type JsonObject } from './openapi-objects.ts';

/** The Ajv instance openapi-backend builds, named through its own types: Ajv is its dependency, not ours. */
type Ajv = Parameters<AjvCustomizer>[0];

const RFC3339_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * The string formats the fake host checks: the ones a hand-written fixture gets wrong in a way a
 * client notices ("yesterday" for a date-time, a path where an absolute URL belongs).
 */
const CHECKED_FORMATS: Readonly<Record<string, (value: string) => boolean>> = {
  'date-time': (value) => RFC3339_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)),
  date: (value) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)),
  uri: (value) => URL.canParse(value),
  email: (value) => /^[^\s@]+@[^\s@]+$/.test(value),
  uuid: (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value),
};

/** The OpenAPI formats openapi-backend registers itself (number ranges, base64). */
const BACKEND_FORMATS = new Set(['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password']);

/** Every `format` a document's schemas name. */
export function formatsNamedIn(document: JsonObject): Set<string> {
  const names = new Set<string>();
  walkOpenApiObjects(document, 'document', (object, kind) => {
    if (kind === 'schema' && typeof object['format'] === 'string') names.add(object['format']);
  });
  return names;
}

/**
 * Teaches an Ajv instance the document's formats: the checked ones by their rule, any other
 * (GitHub's "repo.nwo", "uri-template") as free text, since Ajv would otherwise warn on the
 * console about each, and guessing a vendor's private format would fail valid answers.
 */
export function addSchemaFormats(ajv: Ajv, names: ReadonlySet<string>): Ajv {
  for (const name of names) {
    if (BACKEND_FORMATS.has(name)) continue;
    const check = CHECKED_FORMATS[name];
    ajv.addFormat(name, check === undefined ? true : { type: 'string', validate: check });
  }
  return ajv;
}
