import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// This file sits directly in src/, the depth the build gives every bundled file in dist/, so
// `../package.json` is the package's own manifest both from the sources and from the build.
const MANIFEST_URL = new URL('../package.json', import.meta.url);

/** The manifest of @forge-core/core this code comes with: its version and its dependencies. */
export const CORE_PACKAGE = JSON.parse(readFileSync(MANIFEST_URL, 'utf8')) as { version: string; dependencies: Record<string, string> };

/** The folder of @forge-core/core: the workspace's core/, or where npm installed it. */
export const CORE_PACKAGE_DIR = dirname(fileURLToPath(MANIFEST_URL));

const requireFromCore = createRequire(MANIFEST_URL);

/**
 * The folder of a package the server depends on, as Node resolves it from here: in the
 * repository the workspace link (its real path), in the build or an install the copy beside it.
 */
export function dependencyDir(name: string): string {
  return dirname(requireFromCore.resolve(`${name}/package.json`));
}

/** The version of @forge-core/core, read from the package this code comes with. */
export const CORE_VERSION = CORE_PACKAGE.version;
