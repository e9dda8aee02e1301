import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Module resolution hooks (node:module register) the compiled server installs before it imports
 * a local pack: every `@forge-core/sdk` import, from any pack, resolves to the SDK the server
 * runs. A pack in its author's folder would otherwise get its own copy (or, inside the
 * repository, the TypeScript sources), and the server would not know that copy's errors and
 * brands as its own. They run on Node's loader thread, so this file is its own build entry.
 */
let hostSdkManifestUrl = '';

export function initialize(data: { sdkDir: string }): void {
  hostSdkManifestUrl = pathToFileURL(join(data.sdkDir, 'package.json')).href;
}

type NextResolve = (specifier: string, context: { parentURL?: string }) => Promise<unknown>;

export function resolve(specifier: string, context: { parentURL?: string }, nextResolve: NextResolve): Promise<unknown> {
  const sdkImport = specifier === '@forge-core/sdk' || specifier.startsWith('@forge-core/sdk/');
  // Resolved from inside the host's SDK: the package's own name reaches its exports there.
  return nextResolve(specifier, sdkImport ? { ...context, parentURL: hostSdkManifestUrl } : context);
}
