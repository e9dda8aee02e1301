import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { SDK_DIR } from './discover.ts';

// From the sources the server already runs under tsx; compiled, it loads tsx only for the first
// pack whose entry is TypeScript (a local pack its author works on), so no other start pays for it.
const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');
const TYPESCRIPT_ENTRY = /\.[cm]?ts$/;
// Beside this file in the build (every built file sits directly in dist/).
const SDK_RESOLVE_HOOKS = new URL('./plugins-sdk-resolve-hooks.js', import.meta.url);
let typeScriptLoader: Promise<void> | undefined;
let sdkHooksRegistered = false;

/**
 * Imports a pack's entry file, JavaScript or TypeScript. A local pack (a folder named in
 * FORGE_PLUGIN_PATHS) gets the server's own SDK whatever its folder would resolve: installed
 * packs have it linked already (plugin-home.ts), first-party ones are built beside it.
 */
export async function importPackEntry(file: string, local: boolean): Promise<unknown> {
  if (local && !RUNNING_FROM_SOURCE && !sdkHooksRegistered) {
    register(SDK_RESOLVE_HOOKS, { data: { sdkDir: SDK_DIR } });
    sdkHooksRegistered = true;
  }
  if (TYPESCRIPT_ENTRY.test(file) && !RUNNING_FROM_SOURCE) {
    typeScriptLoader ??= import('tsx/esm/api').then(
      ({ register: registerTypeScript }) => void registerTypeScript(),
      (error: Error) => {
        typeScriptLoader = undefined;
        throw new Error(`the entry is TypeScript and the tsx loader is not installed (${error.message}); build the pack to JavaScript or install tsx`);
      },
    );
    await typeScriptLoader;
  }
  return import(pathToFileURL(file).href);
}
