import { existsSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where `forgecore plugins` keeps what it installs: `$FORGE_HOME/plugins` is an npm project of its
 * own (package.json + node_modules) that the host owns, and `$FORGE_HOME/plugins.json` holds the
 * packs the user disabled. Both are plain files, so the CLI works with the server stopped.
 */
export const pluginsDir = (home: string) => join(home, 'plugins');
export const manifestPath = (home: string) => join(pluginsDir(home), 'package.json');
const stateFile = (home: string) => join(home, 'plugins.json');

/** The SDK the host links into the plugins folder, so every pack imports the host's own copy. */
export const SDK_PACKAGE = '@forge-core/sdk';

export interface PluginsManifest {
  name: string;
  private: true;
  description: string;
  dependencies: Record<string, string>;
}

export function readPluginsManifest(home: string): PluginsManifest | null {
  try {
    return JSON.parse(readFileSync(manifestPath(home), 'utf8')) as PluginsManifest;
  } catch {
    return null;
  }
}

/** Package names installed with `forgecore plugins add`, in install order. */
export function installedPackNames(home: string): string[] {
  return Object.keys(readPluginsManifest(home)?.dependencies ?? {}).filter((name) => name !== SDK_PACKAGE);
}

export const installedPackDir = (home: string, name: string) => join(pluginsDir(home), 'node_modules', ...name.split('/'));

/** Creates the plugins folder's package.json, linking the host's SDK as the packs' peer. */
export function ensurePluginsManifest(home: string, sdkDir: string): void {
  const current = readPluginsManifest(home);
  const manifest: PluginsManifest = {
    name: 'forge-installed-plugins',
    private: true,
    description: 'Packs installed by `forgecore plugins add`. Managed by Forge Core; edit with the forgecore command.',
    dependencies: { ...current?.dependencies, [SDK_PACKAGE]: `file:${sdkDir}` },
  };
  mkdirSync(pluginsDir(home), { recursive: true });
  writeFileAtomically(manifestPath(home), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Points the plugins folder's `@forge-core/sdk` at the host's own SDK. npm installs the `file:`
 * dependency as a copy (`--install-links` applies to every local dependency), which would go
 * stale when the host is upgraded; a link always resolves to the SDK this host runs.
 */
export function linkHostSdk(home: string, sdkDir: string): void {
  const link = installedPackDir(home, SDK_PACKAGE);
  if (!existsSync(pluginsDir(home))) return;
  // Every start checks it; only a wrong or missing link is rewritten.
  if (readLink(link) === sdkDir) return;
  rmSync(link, { recursive: true, force: true });
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(sdkDir, link, 'dir');
}

function readLink(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null; // missing, or a copy npm left instead of a link
  }
}

export interface PluginState {
  /** Package names disabled with `forgecore plugins disable`. */
  disabled: string[];
}

export function readPluginState(home: string): PluginState {
  try {
    const parsed = JSON.parse(readFileSync(stateFile(home), 'utf8')) as Partial<PluginState>;
    return { disabled: Array.isArray(parsed.disabled) ? parsed.disabled.filter((n) => typeof n === 'string') : [] };
  } catch {
    return { disabled: [] };
  }
}

export function writePluginState(home: string, state: PluginState): void {
  mkdirSync(home, { recursive: true });
  writeFileAtomically(stateFile(home), `${JSON.stringify({ disabled: [...new Set(state.disabled)].sort() }, null, 2)}\n`);
}

/** A reader never sees half a file: write beside it, then rename over it. */
function writeFileAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
