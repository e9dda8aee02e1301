import Joi from 'joi';
import type { PackManifest } from '@forge-core/sdk';
import { EXECUTOR_ID_PATTERN } from '@forge-core/sdk';

const idList = Joi.array().items(Joi.string().pattern(EXECUTOR_ID_PATTERN)).unique();

/** The `package.json#forge` field, checked before any of the pack's code is imported. */
export const manifestSchema = Joi.object<PackManifest>({
  manifestVersion: Joi.number().valid(1).required(),
  sdk: Joi.string().max(100).required(),
  kind: Joi.string().valid('executor', 'git-provider', 'pack').required(),
  entry: Joi.string()
    .pattern(/^\.\/(?!.*\.\.)/)
    .required()
    .messages({ 'string.pattern.base': '"entry" must be a path inside the package starting with "./"' }),
  contributes: Joi.object({ executors: idList, gitProviders: idList }).or('executors', 'gitProviders').required(),
}).unknown(false);

export interface PackageJson {
  name?: unknown;
  version?: unknown;
  forge?: unknown;
}

export type ManifestCheck =
  | { ok: true; name: string; version: string; manifest: PackManifest }
  | { ok: false; message: string };

export function checkManifest(pkg: PackageJson, file: string): ManifestCheck {
  const name = typeof pkg.name === 'string' ? pkg.name : '(unnamed package)';
  const version = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  const { error, value } = manifestSchema.validate(pkg.forge, { abortEarly: false });
  if (error) {
    const problems = error.details.map((d) => `at forge.${d.path.join('.')}: ${d.message}`).join('; ');
    return { ok: false, message: `Invalid forge manifest in ${name}@${version} (${file}): ${problems}` };
  }
  return { ok: true, name, version, manifest: value };
}
