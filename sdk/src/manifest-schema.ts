import { EXECUTOR_ID_PATTERN } from './executor.ts';
import { GIT_PROVIDER_ID_PATTERN } from './git-provider.ts';
import type { JsonSchema } from './json-schema-check.ts';

function idList(pattern: RegExp): JsonSchema {
  return { type: 'array', items: { type: 'string', pattern: pattern.source }, uniqueItems: true };
}

/**
 * `package.json#forge` (`PackManifest`) as JSON Schema: the host checks it before importing any
 * of a pack's code, and `spec/schemas/pack-manifest.schema.json` is written from it.
 */
export const PACK_MANIFEST_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'PackManifest',
  description: "The `forge` field of a pack's package.json.",
  type: 'object',
  properties: {
    manifestVersion: { type: 'integer', const: 1 },
    sdk: { type: 'string', minLength: 1, maxLength: 100, description: 'A semver range of the contract version, pinning a major, e.g. "^1.0.0".' },
    kind: { type: 'string', enum: ['executor', 'git-provider', 'pack'] },
    // "./" first and no ".." anywhere: the entry must stay inside the package.
    entry: { type: 'string', pattern: '^\\./(?!.*\\.\\.)', description: 'The module that exports definePack(...), relative to the package.' },
    contributes: {
      type: 'object',
      properties: { executors: idList(EXECUTOR_ID_PATTERN), gitProviders: idList(GIT_PROVIDER_ID_PATTERN) },
      minProperties: 1,
      additionalProperties: false,
    },
  },
  required: ['manifestVersion', 'sdk', 'kind', 'entry', 'contributes'],
  additionalProperties: false,
};
