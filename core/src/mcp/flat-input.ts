import Joi from 'joi';
import type { Operation } from '../api/operations/operation.ts';

/** An operation's path, query and body schemas merged: an MCP tool takes one flat object (they never share a field). */
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
