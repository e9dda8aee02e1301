/**
 * A validator for the subset of JSON Schema (draft 2020-12) that the SDK's own contracts use.
 * The SDK has no runtime dependencies, so it cannot ship a general validator; this one knows
 * exactly the keywords in `JsonSchema` below and nothing else, so a schema can only use what it
 * checks. It runs on every event an executor yields: past the first use of a schema, it allocates
 * nothing while a value is valid.
 *
 * Two readings are deliberate. A property whose value is `undefined` counts as absent, because
 * events and manifests are stored and sent as JSON, where such a property does not exist. String
 * lengths count code points, as JSON Schema does, not UTF-16 units.
 */

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

type JsonPrimitive = string | number | boolean | null;

export interface JsonSchema {
  $schema?: string;
  title?: string;
  description?: string;
  type?: JsonType | readonly JsonType[];
  const?: JsonPrimitive;
  enum?: readonly JsonPrimitive[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  additionalProperties?: false;
  minProperties?: number;
  items?: JsonSchema;
  /** Items are compared with `===`: the contracts only ask it of lists of strings. */
  uniqueItems?: boolean;
}

interface Problem {
  /** Built from the leaf up, and only once something is wrong. */
  path: (string | number)[];
  message: string;
}

const NO_PROBLEMS: readonly string[] = Object.freeze([]);

/**
 * A schema with every keyword present (an absent one as null or a bound that passes everything),
 * built on a schema's first use, so schemas are taken to be immutable. Schemas come in many
 * shapes; walking this one shape keeps property reads monomorphic on the hot path.
 */
class CompiledSchema {
  readonly types: readonly JsonType[] | null;
  readonly const: JsonPrimitive | undefined;
  readonly enum: readonly JsonPrimitive[] | null;
  readonly minLength: number;
  readonly maxLength: number;
  readonly pattern: RegExp | null;
  readonly minimum: number;
  readonly properties: Map<string, { node: CompiledSchema; required: boolean }> | null;
  readonly required: readonly string[];
  readonly closed: boolean;
  readonly minProperties: number;
  readonly items: CompiledSchema | null;
  readonly uniqueItems: boolean;

  constructor(readonly schema: JsonSchema) {
    this.types = schema.type === undefined ? null : typeof schema.type === 'string' ? [schema.type] : schema.type;
    this.const = schema.const;
    this.enum = schema.enum ?? null;
    this.minLength = schema.minLength ?? 0;
    this.maxLength = schema.maxLength ?? Infinity;
    this.pattern = schema.pattern === undefined ? null : new RegExp(schema.pattern, 'u');
    this.minimum = schema.minimum ?? -Infinity;
    this.required = schema.required ?? [];
    this.properties = schema.properties
      ? new Map(Object.entries(schema.properties).map(([key, child]) => [key, { node: new CompiledSchema(child), required: this.required.includes(key) }]))
      : null;
    this.closed = schema.additionalProperties === false;
    this.minProperties = schema.minProperties ?? 0;
    this.items = schema.items ? new CompiledSchema(schema.items) : null;
    this.uniqueItems = schema.uniqueItems ?? false;
  }
}

const compiledSchemas = new WeakMap<JsonSchema, CompiledSchema>();

/**
 * What is wrong with `value`, each problem as "at <path>: <what>" (just "<what>" for the value
 * itself), at most `maxProblems` of them; the same empty array when nothing is.
 */
export function checkJsonSchema(schema: JsonSchema, value: unknown, maxProblems = Infinity): readonly string[] {
  let node = compiledSchemas.get(schema);
  if (!node) compiledSchemas.set(schema, (node = new CompiledSchema(schema)));
  const found = visit(node, value, undefined, maxProblems);
  return found ? found.map(formatProblem) : NO_PROBLEMS;
}

function formatProblem({ path, message }: Problem): string {
  if (path.length === 0) return message;
  let at = '';
  for (const key of path) {
    if (typeof key === 'number') at += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) at += at ? `.${key}` : key;
    else at += `[${JSON.stringify(key)}]`;
  }
  return `at ${at}: ${message}`;
}

/** Appends the problems of `value` to `found`, which it creates on the first one. */
function visit(node: CompiledSchema, value: unknown, found: Problem[] | undefined, max: number): Problem[] | undefined {
  if (node.types !== null && !hasType(value, node.types)) {
    return add(found, `must be ${typeNames(node.types)}, received ${describeValue(value)}`);
  }
  if (node.const !== undefined && value !== node.const) {
    return add(found, `must be ${JSON.stringify(node.const)}, received ${describeValue(value)}`);
  }
  if (node.enum !== null && !node.enum.includes(value as JsonPrimitive)) {
    return add(found, `must be one of ${node.enum.map((v) => JSON.stringify(v)).join(', ')}, received ${describeValue(value)}`);
  }
  if (typeof value === 'string') return visitString(node, value, found);
  if (typeof value === 'number') return value < node.minimum ? add(found, `must be >= ${node.minimum}, received ${value}`) : found;
  if (Array.isArray(value)) return visitArray(node, value, found, max);
  if (typeof value === 'object' && value !== null) return visitObject(node, value as Record<string, unknown>, found, max);
  return found;
}

function visitString(node: CompiledSchema, value: string, found: Problem[] | undefined): Problem[] | undefined {
  if (!atLeastCodePoints(value, node.minLength)) {
    return add(found, node.minLength === 1 ? 'must not be empty' : `must be at least ${node.minLength} characters, received ${describeValue(value)}`);
  }
  if (!atMostCodePoints(value, node.maxLength)) {
    return add(found, `must be at most ${node.maxLength} characters, received ${describeValue(value)}`);
  }
  if (node.pattern !== null && !node.pattern.test(value)) {
    return add(found, `must match ${node.schema.pattern}, received ${describeValue(value)}`);
  }
  return found;
}

function visitArray(node: CompiledSchema, value: readonly unknown[], found: Problem[] | undefined, max: number): Problem[] | undefined {
  if (node.items === null && !node.uniqueItems) return found;
  for (let i = 0; i < value.length; i++) {
    if (node.items !== null) {
      const before = found?.length ?? 0;
      found = visit(node.items, value[i], found, max);
      if (found && found.length > before) prefix(found, before, i);
    }
    const first = node.uniqueItems ? value.indexOf(value[i]) : -1;
    if (first !== -1 && first < i) {
      found = add(found, `duplicates item [${first}] (${describeValue(value[i])})`);
      prefix(found, found.length - 1, i);
    }
    if (found && found.length >= max) return found;
  }
  return found;
}

function visitObject(node: CompiledSchema, value: Record<string, unknown>, found: Problem[] | undefined, max: number): Problem[] | undefined {
  if (node.properties === null && node.required.length === 0 && !node.closed && node.minProperties === 0) return found;
  let present = 0;
  let requiredPresent = 0;
  for (const key in value) {
    const item = value[key];
    if (item === undefined || !Object.hasOwn(value, key)) continue;
    present++;
    const before = found?.length ?? 0;
    const property = node.properties?.get(key);
    if (property) {
      if (property.required) requiredPresent++;
      found = visit(property.node, item, found, max);
    } else if (node.closed) {
      found = add(found, `is not allowed here (allowed: ${[...(node.properties?.keys() ?? [])].join(', ')})`);
    }
    if (found && found.length > before) {
      prefix(found, before, key);
      if (found.length >= max) return found;
    }
  }
  // Counting during the one pass above spares a second lookup per required key when all are there.
  if (requiredPresent < node.required.length) {
    for (const key of node.required) {
      if (Object.hasOwn(value, key) && value[key] !== undefined) continue;
      found = add(found, 'is required');
      prefix(found, found.length - 1, key);
      if (found.length >= max) return found;
    }
  }
  if (present < node.minProperties) {
    const names = [...(node.properties?.keys() ?? [])];
    return add(found, names.length ? `must have at least ${node.minProperties} of ${names.join(', ')}` : `must have at least ${node.minProperties} properties`);
  }
  return found;
}

function add(found: Problem[] | undefined, message: string): Problem[] {
  const problem: Problem = { path: [], message };
  if (!found) return [problem];
  found.push(problem);
  return found;
}

function prefix(found: Problem[], from: number, key: string | number): void {
  for (let i = from; i < found.length; i++) found[i]!.path.unshift(key);
}

function hasType(value: unknown, type: readonly JsonType[]): boolean {
  for (let i = 0; i < type.length; i++) if (isOfType(value, type[i]!)) return true;
  return false;
}

function isOfType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

function typeNames(type: readonly JsonType[]): string {
  const article = (t: JsonType) => (t === 'null' ? 'null' : `${t === 'object' || t === 'array' || t === 'integer' ? 'an' : 'a'} ${t}`);
  return type.map(article).join(' or ');
}

/** A short description of any value for a message: never the whole of a large one. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length <= 40 ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)`;
  }
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

// A string of n UTF-16 units holds between ceil(n / 2) and n code points: count only when that
// range straddles the limit, so the usual short string costs one comparison.
function atMostCodePoints(value: string, max: number): boolean {
  return value.length <= max || codePoints(value) <= max;
}

function atLeastCodePoints(value: string, min: number): boolean {
  return value.length >= 2 * min || codePoints(value) >= min;
}

function codePoints(value: string): number {
  let count = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}
