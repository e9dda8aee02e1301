/**
 * Declarative option descriptors. A pack describes its options as data; the host compiles them
 * into its own validator and into JSON Schema for the API. Packs never ship a validator of their
 * own, so two copies of a validation library can never meet at the boundary.
 */

interface OptionBase {
  description?: string;
  required?: boolean;
}

export interface StringOption extends OptionBase {
  type: 'string';
  default?: string;
  maxLength?: number;
  pattern?: string;
}

export interface NumberOption extends OptionBase {
  type: 'number';
  default?: number;
  min?: number;
  max?: number;
  integer?: boolean;
}

export interface BooleanOption extends OptionBase {
  type: 'boolean';
  default?: boolean;
}

export interface EnumOption<V extends string = string> extends OptionBase {
  type: 'enum';
  values: readonly V[];
  default?: V;
}

export interface StringListOption extends OptionBase {
  type: 'string[]';
  default?: readonly string[];
  maxItems?: number;
}

/** What an environment variable a pack names (a secret's `env`, a provider's token) must look like. */
export const ENV_VAR_NAME_PATTERN = /^[A-Z][A-Z0-9_]*$/;

/** A value the host keeps out of logs, API responses and transcripts. */
export interface SecretOption extends OptionBase {
  type: 'secret';
  /** The environment variable the host sets from this value when it spawns the agent. */
  env?: string;
}

export type OptionDescriptor =
  | StringOption
  | NumberOption
  | BooleanOption
  | EnumOption
  | StringListOption
  | SecretOption;

export type OptionDescriptorType = OptionDescriptor['type'];

export type OptionShape = Readonly<Record<string, OptionDescriptor>>;

type ValueOf<D extends OptionDescriptor> = D extends EnumOption<infer V>
  ? V
  : D extends NumberOption
    ? number
    : D extends BooleanOption
      ? boolean
      : D extends StringListOption
        ? string[]
        : string;

/** The validated options object an executor receives for a shape of descriptors. */
export type InferOptions<S extends OptionShape> = {
  [K in keyof S]: S[K] extends { required: true } | { default: unknown }
    ? ValueOf<S[K]>
    : ValueOf<S[K]> | undefined;
};
