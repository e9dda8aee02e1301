import { describeValue } from './describe-value.ts';
import { ENV_VAR_NAME_PATTERN, type OptionDescriptorType } from './options.ts';

/**
 * The one check of an executor's option descriptors, used by `defineExecutor`, by the host when
 * it loads a pack, and by the conformance kit: each problem with its path. The host compiles
 * only the keys it knows, so a misspelt `maxLenght` would silently switch a limit off: every key
 * is checked against its type's list.
 */

const COMMON_KEYS = ['type', 'description', 'required'];

/** Each descriptor type's own keys, kept in step with the SDK's union by the compiler. */
const KEYS_BY_TYPE: Record<OptionDescriptorType, readonly string[]> = {
  string: ['default', 'maxLength', 'pattern'],
  number: ['default', 'min', 'max', 'integer'],
  boolean: ['default'],
  enum: ['values', 'default'],
  'string[]': ['default', 'maxItems'],
  secret: ['env'],
};

/** Names that read the same as a JSON property, a query parameter and a CLI flag. */
const OPTION_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** What the host allows when a descriptor sets no limit of its own. */
const HOST_MAX_LENGTH = 10_000;
const HOST_MAX_ITEMS = 100;

const isPositiveInteger = (value: unknown) => Number.isInteger(value) && (value as number) > 0;
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

type Descriptor = Record<string, unknown>;

function stringProblems(d: Descriptor): string[] {
  const problems: string[] = [];
  if (d['maxLength'] !== undefined && !isPositiveInteger(d['maxLength'])) problems.push(`maxLength must be a positive integer, received ${describeValue(d['maxLength'])}`);
  let pattern: RegExp | undefined;
  if (d['pattern'] !== undefined && typeof d['pattern'] !== 'string') {
    problems.push(`pattern must be the source of a regular expression, received ${describeValue(d['pattern'])}`);
  } else if (d['pattern'] !== undefined) {
    try {
      pattern = new RegExp(d['pattern']);
    } catch (error) {
      problems.push(`pattern does not compile: ${(error as Error).message}`);
    }
  }
  const value = d['default'];
  if (value === undefined) return problems;
  if (typeof value !== 'string') return [...problems, `default must be a string, received ${describeValue(value)}`];
  const maxLength = typeof d['maxLength'] === 'number' ? d['maxLength'] : HOST_MAX_LENGTH;
  if (value.length > maxLength) problems.push(`default is longer than maxLength (${maxLength})`);
  if (pattern && !pattern.test(value)) problems.push(`default ${describeValue(value)} does not match pattern ${d['pattern']}`);
  return problems;
}

function numberProblems(d: Descriptor): string[] {
  const problems: string[] = [];
  for (const bound of ['min', 'max']) {
    if (d[bound] !== undefined && !isFiniteNumber(d[bound])) problems.push(`${bound} must be a finite number, received ${describeValue(d[bound])}`);
  }
  const min = isFiniteNumber(d['min']) ? d['min'] : -Infinity;
  const max = isFiniteNumber(d['max']) ? d['max'] : Infinity;
  if (min > max) problems.push(`min (${min}) is greater than max (${max})`);
  if (d['integer'] !== undefined && typeof d['integer'] !== 'boolean') problems.push(`integer must be true or false, received ${describeValue(d['integer'])}`);
  const value = d['default'];
  if (value === undefined) return problems;
  if (!isFiniteNumber(value)) return [...problems, `default must be a finite number, received ${describeValue(value)}`];
  if (value < min || value > max) problems.push(`default ${value} is outside [${min}, ${max}]`);
  if (d['integer'] === true && !Number.isInteger(value)) problems.push(`default ${value} is not an integer`);
  return problems;
}

function enumProblems(d: Descriptor): string[] {
  const values = d['values'];
  if (!Array.isArray(values) || values.length === 0 || !values.every((value) => typeof value === 'string' && value !== '')) {
    return [`values must be a non-empty list of non-empty strings, received ${describeValue(values)}`];
  }
  const problems: string[] = [];
  if (new Set(values).size !== values.length) problems.push('values lists the same value twice');
  if (d['default'] !== undefined && !values.includes(d['default'])) problems.push(`default ${describeValue(d['default'])} is not one of values`);
  return problems;
}

function stringListProblems(d: Descriptor): string[] {
  const problems: string[] = [];
  if (d['maxItems'] !== undefined && !isPositiveInteger(d['maxItems'])) problems.push(`maxItems must be a positive integer, received ${describeValue(d['maxItems'])}`);
  const value = d['default'];
  if (value === undefined) return problems;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return [...problems, `default must be a list of strings, received ${describeValue(value)}`];
  const maxItems = typeof d['maxItems'] === 'number' ? d['maxItems'] : HOST_MAX_ITEMS;
  if (value.length > maxItems) problems.push(`default has more than maxItems (${maxItems}) items`);
  return problems;
}

const TYPE_PROBLEMS: Record<OptionDescriptorType, (d: Descriptor) => string[]> = {
  string: stringProblems,
  number: numberProblems,
  boolean: (d) => (d['default'] === undefined || typeof d['default'] === 'boolean' ? [] : [`default must be true or false, received ${describeValue(d['default'])}`]),
  enum: enumProblems,
  'string[]': stringListProblems,
  secret: (d) => (d['env'] === undefined || (typeof d['env'] === 'string' && ENV_VAR_NAME_PATTERN.test(d['env'])) ? [] : [`env must name an environment variable (${ENV_VAR_NAME_PATTERN}), received ${describeValue(d['env'])}`]),
};

function descriptorProblems(d: unknown): string[] {
  if (typeof d !== 'object' || d === null) return [`must be an option descriptor object, received ${describeValue(d)}`];
  const descriptor = d as Descriptor;
  const type = descriptor['type'] as OptionDescriptorType;
  if (!Object.hasOwn(KEYS_BY_TYPE, type)) return [`type must be one of ${Object.keys(KEYS_BY_TYPE).join(', ')}, received ${describeValue(type)}`];
  const problems: string[] = [];
  const known = [...COMMON_KEYS, ...KEYS_BY_TYPE[type]];
  for (const key of Object.keys(descriptor)) {
    if (known.includes(key)) continue;
    problems.push(
      type === 'secret' && key === 'default'
        ? 'a secret has no default: it would ship the secret inside the pack'
        : `unknown key "${key}" for a ${type} option (known: ${known.join(', ')})`,
    );
  }
  if (descriptor['description'] !== undefined && typeof descriptor['description'] !== 'string') problems.push('description must be a string');
  if (descriptor['required'] !== undefined && typeof descriptor['required'] !== 'boolean') problems.push('required must be true or false');
  return [...problems, ...TYPE_PROBLEMS[type](descriptor)];
}

/** Every problem in an executor's `options`, each prefixed with its path. */
export function optionShapeProblems(options: unknown, field = 'options'): string[] {
  if (options === undefined) return [];
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return [`${field} must be an object of descriptors, received ${describeValue(options)}`];
  return Object.entries(options).flatMap(([name, descriptor]) => [
    ...(OPTION_NAME.test(name) ? [] : [`${field}["${name}"]: the name must match ${OPTION_NAME}`]),
    ...descriptorProblems(descriptor).map((problem) => `${field}.${name}: ${problem}`),
  ]);
}
