import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ForgeError } from '@forge-core/sdk';
import { withFileLock } from '../locks/file-lock.ts';
import { redactCredentials } from '../runtime/redact-credentials.ts';
import { checkSdkRange } from './compat.ts';
import { discoverPacks } from './discover.ts';
import { checkManifest } from './manifest.ts';
import {
  SDK_PACKAGE,
  ensurePluginsManifest,
  installedPackDir,
  installedPackNames,
  linkHostSdk,
  manifestPath,
  pluginsDir,
  readPluginState,
  readPluginsManifest,
  type PluginsManifest,
  writePluginState,
} from './plugin-home.ts';

export interface InstalledPack {
  name: string;
  version: string;
}

// npm's own grammar for a registry package, with an optional version, range or tag. Git URLs,
// http tarballs and aliases are refused: a pack comes from the registry or from this disk.
const NPM_SPEC = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*(@[A-Za-z0-9.^~<>=*|+ -]{1,100})?$/;
const NPM_TIMEOUT_MS = 300_000;
const OUTPUT_KEPT_CHARS = 2_000;

/**
 * `forgecore plugins add/remove/enable/disable`, for the CLI and the API alike. Installs run npm in
 * the host-owned `$FORGE_HOME/plugins` project with `--ignore-scripts` (a pack's code runs only
 * when the server imports it, never at install time) and are checked before they are kept:
 * a package that is not a pack, has a broken manifest or needs another SDK major is removed
 * again with the reason. Changes take effect when the server restarts (ESM cannot unload).
 */
export class PluginInstaller {
  constructor(
    private readonly home: string,
    private readonly sdkDir: string,
    private readonly localPaths: readonly string[] = [],
  ) {}

  add(source: string): Promise<InstalledPack> {
    return this.serialized(async () => {
      const spec = installSpec(source);
      const declaredName = packageNameOf(spec);
      if (declaredName === SDK_PACKAGE) {
        throw new ForgeError('FORGE_VALIDATION_FAILED', `${SDK_PACKAGE} is the SDK packs are built on; it comes with Forge Core and is not a pack.`, {
          field: 'source',
        });
      }
      ensurePluginsManifest(this.home, this.sdkDir);
      const snapshot = readFileSync(manifestPath(this.home), 'utf8');
      const before = (JSON.parse(snapshot) as PluginsManifest).dependencies;
      try {
        await this.npm(['install', '--save', '--install-links', spec]);
      } catch (error) {
        // Whatever npm managed to record before failing is taken back: the folder stays as it was.
        writeFileSync(manifestPath(this.home), snapshot);
        throw error;
      }
      const after = readPluginsManifest(this.home)?.dependencies ?? {};
      const name = Object.keys(after).find((n) => n !== SDK_PACKAGE && before[n] !== after[n]) ?? declaredName;
      if (!name || !installedPackNames(this.home).includes(name)) {
        throw new ForgeError('FORGE_PLUGIN_INSTALL_FAILED', `npm finished, but no package from ${source} was added to ${pluginsDir(this.home)}.`);
      }
      try {
        return { name, version: this.keptVersion(name) };
      } catch (problem) {
        await this.npm(['uninstall', '--save', name]);
        throw problem;
      }
    });
  }

  remove(name: string): Promise<void> {
    return this.serialized(async () => {
      const installed = installedPackNames(this.home);
      if (!installed.includes(name)) {
        throw new ForgeError(
          'FORGE_NOT_FOUND',
          `${name} was not installed with \`forgecore plugins add\`; installed: ${installed.join(', ') || 'none'}. Built-in and local packs can be disabled instead.`,
          { name, installed },
        );
      }
      await this.npm(['uninstall', '--save', name]);
      const state = readPluginState(this.home);
      writePluginState(this.home, { disabled: state.disabled.filter((n) => n !== name) });
    });
  }

  /** Records the choice for the next start; refuses names no source knows, so typos do not pass silently. */
  async setEnabled(name: string, enabled: boolean): Promise<void> {
    const known = (await discoverPacks(this.home, this.localPaths)).map((c) => String(c.packageJson.name));
    if (!known.includes(name)) {
      throw new ForgeError('FORGE_NOT_FOUND', `No pack named ${name}; known packs: ${known.join(', ') || 'none'}.`, { name, known });
    }
    const { disabled } = readPluginState(this.home);
    writePluginState(this.home, { disabled: enabled ? disabled.filter((n) => n !== name) : [...disabled, name] });
  }

  /** The version of an installed package that can be kept as a pack; throws the reason it cannot. */
  private keptVersion(name: string): string {
    const file = join(installedPackDir(this.home, name), 'package.json');
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (!('forge' in pkg)) {
      throw new ForgeError('FORGE_PLUGIN_MANIFEST_INVALID', `${name} is not a Forge pack: its package.json has no "forge" field. It was not kept.`, { name });
    }
    const checked = checkManifest(pkg, file);
    if (!checked.ok) throw new ForgeError('FORGE_PLUGIN_MANIFEST_INVALID', `${checked.message}. It was not kept.`, { name });
    const incompatible = checkSdkRange(checked, checked.manifest.sdk);
    if (incompatible) throw new ForgeError('FORGE_PLUGIN_SDK_INCOMPATIBLE', `${incompatible} It was not kept.`, { name });
    return checked.version;
  }

  /**
   * One npm at a time on this FORGE_HOME, from this process or another (the server and the
   * `forgecore` command): two installs in one folder would race on node_modules and package.json.
   */
  private async serialized<T>(work: () => Promise<T>): Promise<T> {
    mkdirSync(this.home, { recursive: true });
    return withFileLock(join(this.home, 'plugins.lock'), work, { what: 'plugins', waitLimitMs: NPM_TIMEOUT_MS * 2 });
  }

  /** Runs npm in the plugins folder, then re-links the host's SDK that npm replaced with a copy. */
  private async npm(args: string[]): Promise<void> {
    try {
      await this.runNpm(args);
    } finally {
      linkHostSdk(this.home, this.sdkDir);
    }
  }

  private runNpm(args: string[]): Promise<void> {
    const cwd = pluginsDir(this.home);
    const common = ['--prefix', cwd, '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier', '--omit=dev', '--package-lock=false', '--workspaces=false'];
    return new Promise((resolvePromise, reject) => {
      execFile('npm', [...args, ...common], { cwd, env: npmEnvironment(), timeout: NPM_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
        if (!error) return resolvePromise();
        const output = redactCredentials(String(stderr)).trim().slice(-OUTPUT_KEPT_CHARS);
        reject(new ForgeError('FORGE_PLUGIN_INSTALL_FAILED', `npm ${args.join(' ')} failed: ${output || error.message}`, { args }));
      });
    });
  }
}

/** What to hand npm for a source: an absolute path for a tarball or folder, else a checked registry spec. */
function installSpec(source: string): string {
  const path = resolve(source);
  if (existsSync(path)) {
    const isFolder = statSync(path).isDirectory();
    if (isFolder && !existsSync(join(path, 'package.json'))) {
      throw new ForgeError('FORGE_UNPROCESSABLE', `${path} is a folder without a package.json; point at a pack's folder or its npm pack tarball.`, {
        field: 'source',
      });
    }
    if (!isFolder && !/\.(tgz|tar\.gz)$/.test(path)) {
      throw new ForgeError('FORGE_UNPROCESSABLE', `${path} is not a tarball (.tgz) made by npm pack.`, { field: 'source' });
    }
    return path;
  }
  if (/^[./~]/.test(source) || source.includes('\\')) {
    throw new ForgeError('FORGE_UNPROCESSABLE', `No file or folder at ${path}.`, { field: 'source' });
  }
  if (!NPM_SPEC.test(source)) {
    throw new ForgeError(
      'FORGE_VALIDATION_FAILED',
      `"${source}" is not an npm package name (optionally with @version), a tarball path or a folder path.`,
      { field: 'source' },
    );
  }
  return source;
}

/** For a re-install, where npm's record does not change: the name the source itself carries. */
function packageNameOf(spec: string): string | null {
  if (!isAbsolute(spec)) {
    const at = spec.indexOf('@', 1);
    return at === -1 ? spec : spec.slice(0, at);
  }
  const text = statSync(spec).isDirectory()
    ? readFileSync(join(spec, 'package.json'), 'utf8')
    : execFileSync('tar', ['-xzOf', spec, 'package/package.json'], { encoding: 'utf8', maxBuffer: 1024 * 1024 });
  const name = (JSON.parse(text) as { name?: unknown }).name;
  return typeof name === 'string' ? name : null;
}

/** The server's environment minus npm's own variables, which `npm start` sets and would redirect the install. */
function npmEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}
