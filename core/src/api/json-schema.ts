import type Joi from 'joi';
import joiToJson from 'joi-to-json';

export type JsonSchema = Record<string, unknown>;

// The package is CommonJS whose module.exports is the function itself; its typings describe an
// ES default export, which NodeNext does not see through.
const parse = joiToJson as unknown as (schema: Joi.Schema, mode: 'open-api' | 'json') => JsonSchema;

/**
 * A joi schema as JSON Schema: the dialect of OpenAPI 3.0 for the REST contract, or plain JSON
 * Schema (what MCP tools declare). The joi schema stays the one that validates.
 */
export function jsonSchemaOf(schema: Joi.Schema, dialect: 'open-api' | 'json'): JsonSchema {
  return parse(schema, dialect);
}
