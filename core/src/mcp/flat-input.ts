import Joi from 'joi';
import type { Operation } from '../api/operations/operation.ts';

/** An operation's path, query and body schemas merged: the one object a tool takes (they never share a field). */
export function flatInputOf(operation: Operation): Joi.ObjectSchema {
  const { path, query, body } = operation.input;
  let flat = Joi.object();
  for (const part of [path, query, body]) if (part) flat = flat.concat(part as Joi.ObjectSchema);
  return flat;
}

/** The fields an object schema names. */
export function fieldsOf(schema: Joi.Schema | undefined): string[] {
  return Object.keys((schema?.describe() as { keys?: object } | undefined)?.keys ?? {});
}

export interface ArgumentProblem {
  path: string;
  message: string;
}

interface Part {
  schema: Joi.Schema;
  fields: string[];
}

const partsCache = new WeakMap<Operation, Part[]>();

/**
 * A tool's arguments checked as REST checks a request: each field against the part (path, query,
 * body) that declares it, so a body's own rules (at least one field to change, one of two
 * fields) apply to the body's fields alone. A field no part declares is reported by the last
 * part. Every problem is reported, not the first only.
 */
export function validateArguments(operation: Operation, args: Record<string, unknown>): { value: Record<string, unknown>; problems: ArgumentProblem[] } {
  const parts = partsOf(operation);
  const given: Record<string, unknown>[] = parts.map(() => ({}));
  for (const [name, value] of Object.entries(args)) {
    const index = parts.findIndex((part) => part.fields.includes(name));
    given[index === -1 ? parts.length - 1 : index]![name] = value;
  }
  const value: Record<string, unknown> = {};
  const problems: ArgumentProblem[] = [];
  parts.forEach((part, index) => {
    const checked = part.schema.validate(given[index], { abortEarly: false });
    if (checked.error) problems.push(...checked.error.details.map((d) => ({ path: d.path.join('.'), message: d.message })));
    else Object.assign(value, checked.value);
  });
  return { value, problems };
}

function partsOf(operation: Operation): Part[] {
  let parts = partsCache.get(operation);
  if (!parts) {
    const { path, query, body } = operation.input;
    // An operation without input still refuses arguments it does not take.
    const schemas = [path, query, body].filter((schema) => schema !== undefined);
    parts = (schemas.length > 0 ? schemas : [Joi.object()]).map((schema) => ({ schema, fields: fieldsOf(schema) }));
    partsCache.set(operation, parts);
  }
  return parts;
}

const placesCache = new WeakMap<Operation, { path: string[]; query: string[] }>();

/** Which fields travel in the path and which in the query string; the rest is the body. */
export function fieldsByPlace(operation: Operation): { path: string[]; query: string[] } {
  let places = placesCache.get(operation);
  if (!places) placesCache.set(operation, (places = { path: fieldsOf(operation.input.path), query: fieldsOf(operation.input.query) }));
  return places;
}
