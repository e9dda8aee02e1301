import { checkJsonSchema, type JsonSchema } from './json-schema-check.ts';
import { PACK_MANIFEST_SCHEMA } from './manifest-schema.ts';
import type { PackManifest } from './pack.ts';

export type PackManifestCheck =
  | { ok: true; name: string; version: string; manifest: PackManifest }
  | { ok: false; name: string; version: string; problems: string[] };

// Checked from the package.json down, so every problem's path starts at `forge`.
const PACKAGE_JSON_SCHEMA: JsonSchema = { type: 'object', properties: { forge: PACK_MANIFEST_SCHEMA }, required: ['forge'] };

/** Checks a pack's whole package.json (as parsed) for its `forge` manifest, reporting every problem. */
export function checkPackManifest(packageJson: unknown): PackManifestCheck {
  const pkg = (typeof packageJson === 'object' && packageJson !== null ? packageJson : {}) as { name?: unknown; version?: unknown; forge?: unknown };
  const name = typeof pkg.name === 'string' ? pkg.name : '(unnamed package)';
  const version = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  const problems = checkJsonSchema(PACKAGE_JSON_SCHEMA, packageJson);
  return problems.length === 0 ? { ok: true, name, version, manifest: pkg.forge as PackManifest } : { ok: false, name, version, problems: [...problems] };
}
