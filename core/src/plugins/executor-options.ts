import Joi from 'joi';
import type { OptionDescriptor, OptionShape } from '@forge-core/sdk';
import { REDACTED } from '../runtime/redact-credentials.ts';

/**
 * The shortest secret accepted: a shorter one cannot be told apart from ordinary text when it is
 * masked in what an agent prints (a one-letter key would mask every such letter in the log).
 */
export const MIN_SECRET_LENGTH = 8;

/** No option reaches a process with a NUL in it: an argument or environment variable cannot hold one. */
const WITHOUT_NUL = /^[^\u0000]*$/;
const text = (max: number) =>
  Joi.string()
    .max(max)
    .pattern(WITHOUT_NUL, { name: 'without NUL' })
    // The message never quotes the value: for a secret option that would show the secret.
    .messages({ 'string.pattern.name': '{{#label}} must not contain a NUL character (\\u0000)' });

/** Turns a pack's declarative option descriptors into the host's validator. */
export function compileOptions(shape: OptionShape = {}): Joi.ObjectSchema {
  const keys: Record<string, Joi.Schema> = {};
  for (const [name, descriptor] of Object.entries(shape)) keys[name] = compileOne(descriptor);
  return Joi.object(keys).unknown(false);
}

function compileOne(d: OptionDescriptor): Joi.Schema {
  let schema: Joi.Schema;
  switch (d.type) {
    case 'string': {
      let s = text(d.maxLength ?? 10_000);
      if (d.pattern) s = s.pattern(new RegExp(d.pattern));
      schema = s;
      break;
    }
    case 'number': {
      let n = Joi.number();
      if (d.integer) n = n.integer();
      if (d.min !== undefined) n = n.min(d.min);
      if (d.max !== undefined) n = n.max(d.max);
      schema = n;
      break;
    }
    case 'boolean':
      schema = Joi.boolean();
      break;
    case 'enum':
      schema = Joi.string().valid(...d.values);
      break;
    case 'string[]':
      schema = Joi.array().items(text(10_000)).max(d.maxItems ?? 100);
      break;
    case 'secret':
      schema = text(10_000)
        .min(MIN_SECRET_LENGTH)
        .messages({ 'string.min': `{{#label}} is shorter than ${MIN_SECRET_LENGTH} characters; a secret that short could not be kept out of the logs` });
      break;
  }
  if (d.description) schema = schema.description(d.description);
  if ('default' in d && d.default !== undefined) schema = schema.default(d.default);
  if (d.required) schema = schema.required();
  return schema;
}

/** The JSON Schema clients see for an executor's options (API listing, later MCP tools). */
export function optionsJsonSchema(shape: OptionShape = {}): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, d] of Object.entries(shape)) {
    const base: Record<string, unknown> = d.description ? { description: d.description } : {};
    if ('default' in d && d.default !== undefined) base.default = d.default;
    switch (d.type) {
      case 'string':
        properties[name] = { ...base, type: 'string', maxLength: d.maxLength ?? 10_000, ...(d.pattern ? { pattern: d.pattern } : {}) };
        break;
      case 'number':
        properties[name] = { ...base, type: d.integer ? 'integer' : 'number', minimum: d.min, maximum: d.max };
        break;
      case 'boolean':
        properties[name] = { ...base, type: 'boolean' };
        break;
      case 'enum':
        properties[name] = { ...base, type: 'string', enum: [...d.values] };
        break;
      case 'string[]':
        properties[name] = { ...base, type: 'array', items: { type: 'string' }, maxItems: d.maxItems ?? 100 };
        break;
      case 'secret':
        properties[name] = { ...base, type: 'string', writeOnly: true };
        break;
    }
    if (d.required) required.push(name);
  }
  return { type: 'object', additionalProperties: false, properties, ...(required.length ? { required } : {}) };
}

/** The names of a shape's secret options. */
export function secretOptionNames(shape: OptionShape = {}): string[] {
  return Object.entries(shape)
    .filter(([, d]) => d.type === 'secret')
    .map(([name]) => name);
}

export interface SplitOptions {
  /** Every option, with a marker in place of each secret: what is stored in clear and shown. */
  shown: Record<string, unknown>;
  /** The secret options alone, to be sealed. */
  secrets: Record<string, unknown>;
}

/** Takes the options named in `secretNames` out of `options`, leaving a marker in their place. */
export function splitOptions(options: Record<string, unknown>, secretNames: readonly string[]): SplitOptions {
  const shown = { ...options };
  const secrets: Record<string, unknown> = {};
  for (const name of secretNames) {
    if (!Object.hasOwn(options, name)) continue;
    secrets[name] = options[name];
    shown[name] = REDACTED;
  }
  return { shown, secrets };
}
