import { checkPackManifest, type PackManifest } from '@forge-core/sdk';

export interface PackageJson {
  name?: unknown;
  version?: unknown;
  forge?: unknown;
}

export type ManifestCheck =
  | { ok: true; name: string; version: string; manifest: PackManifest }
  | { ok: false; message: string };

/** The `package.json#forge` field, checked against the SDK's schema before any of the pack's code is imported. */
export function checkManifest(pkg: PackageJson, file: string): ManifestCheck {
  const checked = checkPackManifest(pkg);
  if (!checked.ok) {
    return { ok: false, message: `Invalid forge manifest in ${checked.name}@${checked.version} (${file}): ${checked.problems.join('; ')}` };
  }
  return checked;
}
