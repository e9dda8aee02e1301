import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';
import { EXECUTOR_EVENT_SCHEMA, EXECUTOR_EVENT_SCHEMAS, PACK_MANIFEST_SCHEMA, type JsonSchema } from '../src/index.ts';

/**
 * The TypeScript types and the JSON Schemas describe one contract twice. This test derives a
 * schema from the types and compares what both sides can express: property names, which are
 * required, allowed values and value types. Limits (lengths, minimums, patterns) exist only in
 * the schemas, so they are left out of the comparison.
 */

type GeneratedSchema = JsonSchema & { anyOf?: GeneratedSchema[] };

/** What a schema says about a value that a TypeScript type can say too. */
interface Shape {
  types: string[];
  values?: unknown[];
  properties?: Record<string, Shape & { required: boolean }>;
  items?: Shape;
}

function shapeOf(schema: GeneratedSchema): Shape {
  const shape: Shape = { types: typesOf(schema) };
  if (schema.const !== undefined) shape.values = [schema.const];
  if (schema.enum !== undefined) shape.values = [...schema.enum].sort();
  if (schema.properties !== undefined) {
    shape.properties = Object.fromEntries(
      Object.entries(schema.properties)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, property]) => [name, { required: schema.required?.includes(name) ?? false, ...shapeOf(property) }]),
    );
  }
  if (schema.items !== undefined) shape.items = shapeOf(schema.items);
  return shape;
}

function typesOf(schema: GeneratedSchema): string[] {
  const declared = schema.type === undefined ? [] : typeof schema.type === 'string' ? [schema.type] : [...schema.type];
  const fromValues = [...(schema.enum ?? []), ...(schema.const !== undefined ? [schema.const] : [])].map((v) => (v === null ? 'null' : typeof v));
  const types = declared.length > 0 ? declared : fromValues;
  // TypeScript has no integer type: the schema's "integer" is the type's "number" narrowed.
  const named = types.map((t) => (t === 'integer' ? 'number' : t));
  return named.length > 0 ? [...new Set(named)].sort() : ['any'];
}

describe('the SDK schemas agree with its TypeScript types', () => {
  let generator: ReturnType<typeof createGenerator>;

  before(() => {
    generator = createGenerator({
      path: fileURLToPath(new URL('../src/index.ts', import.meta.url)),
      skipTypeCheck: true,
      expose: 'none',
      topRef: false,
      jsDoc: 'none',
    });
  });

  it('has one schema per member of the ExecutorEvent union, each shaped like its type', () => {
    const union = generator.createSchema('ExecutorEvent') as GeneratedSchema;
    assert.ok(union.anyOf, 'the generator describes the union as anyOf');
    const fromTypes = new Map(union.anyOf.map((member) => [member.properties?.['type']?.const, shapeOf(member)]));
    assert.deepEqual([...fromTypes.keys()].sort(), Object.keys(EXECUTOR_EVENT_SCHEMAS).sort(), 'the event types');
    for (const [type, schema] of Object.entries(EXECUTOR_EVENT_SCHEMAS)) {
      assert.deepEqual(shapeOf(schema), fromTypes.get(type), `the ${type} event`);
    }
  });

  it('assembles the union from every per-type schema', () => {
    assert.deepEqual(
      EXECUTOR_EVENT_SCHEMA.oneOf.map((ref) => ref.$ref),
      Object.keys(EXECUTOR_EVENT_SCHEMA.$defs).map((type) => `#/$defs/${type}`),
    );
  });

  it('describes PackManifest', () => {
    assert.deepEqual(shapeOf(PACK_MANIFEST_SCHEMA), shapeOf(generator.createSchema('PackManifest') as GeneratedSchema));
  });
});
