/**
 * The version changes of a release, planned before anything is written: the server and its
 * first-party packs move together to one version; the SDK (the plugin contract, versioned on its
 * own) only when asked. Every exact pin on a moved package follows, in each workspace's
 * package.json and in package-lock.json; ranges stay as their authors wrote them, with a warning
 * when they no longer accept the new version.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import semver from 'semver';
import { publishedPackageDirs } from '../build-inputs.mjs';

const SDK = '@forge-core/sdk';
const CORE = '@forge-core/core';
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;
const SDK_VERSION_FILE = 'sdk/src/version.ts';
const SDK_VERSION_CONSTANT = /(export const SDK_CONTRACT_VERSION = ')([^']+)(')/;
const CONTRACT_MAJOR_CONSTANT = /export const CONTRACT_MAJOR = (\d+)/;

type Dependencies = Partial<Record<(typeof DEPENDENCY_FIELDS)[number], Record<string, string>>>;
type Manifest = Record<string, unknown> & Dependencies & { name?: string; version?: string; workspaces?: string[]; forge?: { sdk?: string } };

/** "major", "minor", "patch" or an exact version. */
export type VersionTarget = string;

export interface VersionChange {
  name: string;
  from: string;
  to: string;
  /** The other @forge-core packages it depends on at run time: what must be published before it. */
  dependsOn: string[];
}

export interface BumpPlan {
  /** Every published package (SDK, core, packs) with its version before and after. */
  versions: VersionChange[];
  coreVersion: string;
  sdkVersion: string;
  /** New contents by path relative to the root, only for files that change. */
  files: Map<string, string>;
  /** What the release leaves for a person to decide: ranges that no longer accept a new version, versions out of step. */
  warnings: string[];
}

/** The version `target` names, from `current`; refuses anything that is not ahead of it. */
export function nextVersion(current: string, target: VersionTarget, what: string): string {
  const next = target === 'major' || target === 'minor' || target === 'patch' ? semver.inc(current, target) : semver.valid(target);
  if (next === null) throw new Error(`${what}: "${target}" is neither a version (e.g. 1.4.0) nor major, minor or patch`);
  if (!semver.gt(next, current)) throw new Error(`${what}: ${next} is not after the current ${current}`);
  return next;
}

const readJson = (file: string): Manifest => JSON.parse(readFileSync(file, 'utf8')) as Manifest;

/** The workspace folders the root package.json names ("sdk", "plugins/*"), relative to the root. */
function workspaceDirs(root: string, patterns: readonly string[]): string[] {
  const dirs = patterns.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    if (!existsSync(join(root, parent))) return [];
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`);
  });
  return dirs.filter((dir) => existsSync(join(root, dir, 'package.json'))).sort();
}

/**
 * `manifest` with the moved packages' versions: its own, and every exact pin on one of them.
 * Ranges that no longer accept the new version are reported in `warnings`, naming `where`.
 */
function bumpManifest(manifest: Manifest, moved: ReadonlyMap<string, string>, where: string, warnings: string[]): Manifest {
  const result: Manifest = structuredClone(manifest);
  const own = manifest.name === undefined ? undefined : moved.get(manifest.name);
  if (own !== undefined && manifest.version !== undefined) result.version = own;
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, spec] of Object.entries(manifest[field] ?? {})) {
      const to = moved.get(name);
      if (to === undefined) continue;
      if (semver.valid(spec) !== null) result[field]![name] = to;
      else if (semver.validRange(spec) !== null && !semver.satisfies(to, spec)) warnings.push(`${where}: ${field} ${name}@${spec} does not accept ${to}`);
    }
  }
  const sdkTo = moved.get(SDK);
  const contract = manifest.forge?.sdk;
  if (sdkTo !== undefined && contract !== undefined && !semver.satisfies(sdkTo, contract)) {
    warnings.push(`${where}: forge.sdk ${contract} does not accept the SDK ${sdkTo}; the host would refuse this pack`);
  }
  return result;
}

const jsonString = (value: string) => JSON.stringify(value);

/**
 * `text` (the file `before` was read from) changed into `after` in place: only the version and
 * pin strings are replaced, so a hand-formatted package.json keeps its layout. Fails when the
 * result does not parse to `after`.
 */
function editInPlace(file: string, text: string, before: Manifest, after: Manifest): string {
  let edited = text;
  if (before.version !== after.version) edited = edited.replace(`"version": ${jsonString(before.version!)}`, `"version": ${jsonString(after.version!)}`);
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, spec] of Object.entries(before[field] ?? {})) {
      const to = after[field]![name]!;
      if (to !== spec) edited = edited.replaceAll(`${jsonString(name)}: ${jsonString(spec)}`, `${jsonString(name)}: ${jsonString(to)}`);
    }
  }
  if (!isDeepStrictEqual(JSON.parse(edited), after)) throw new Error(`${file}: could not change its versions in place; is it formatted unusually?`);
  return edited;
}

/** sdk/src/version.ts with the contract version the SDK's package now has. */
function bumpSdkConstant(root: string, from: string, to: string, files: Map<string, string>, warnings: string[]): void {
  const file = join(root, SDK_VERSION_FILE);
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  const current = SDK_VERSION_CONSTANT.exec(text);
  if (!current) {
    warnings.push(`${SDK_VERSION_FILE}: no SDK_CONTRACT_VERSION constant found; set the contract version there by hand`);
    return;
  }
  if (current[2] !== from) warnings.push(`${SDK_VERSION_FILE}: SDK_CONTRACT_VERSION was ${current[2]}, not the package's ${from}`);
  files.set(SDK_VERSION_FILE, text.replace(SDK_VERSION_CONSTANT, `$1${to}$3`));
  const major = CONTRACT_MAJOR_CONSTANT.exec(text);
  if (major && Number(major[1]) !== semver.major(to)) {
    warnings.push(`${SDK_VERSION_FILE}: CONTRACT_MAJOR stays ${major[1]} while the SDK becomes ${to}; a new contract major changes it together with the host's adapters for older shapes`);
  }
}

/**
 * Plans a release in `root`: core and every first-party pack to `target` (from core's version),
 * the SDK to `sdkTarget` when given. Reads files; writes nothing.
 */
export function planVersionBump(root: string, target: VersionTarget, sdkTarget?: VersionTarget): BumpPlan {
  const rootManifest = readJson(join(root, 'package.json'));
  const published = publishedPackageDirs(root).map((dir) => readJson(join(dir, 'package.json')));
  const core = published.find((manifest) => manifest.name === CORE);
  const sdk = published.find((manifest) => manifest.name === SDK);
  if (!core?.version || !sdk?.version) throw new Error(`${root} holds no ${CORE} and ${SDK} with versions: is it the repository?`);
  const coreVersion = nextVersion(core.version, target, CORE);
  const sdkVersion = sdkTarget === undefined ? sdk.version : nextVersion(sdk.version, sdkTarget, SDK);

  const warnings: string[] = [];
  const versions: VersionChange[] = published.map((manifest) => ({
    name: manifest.name!,
    from: manifest.version!,
    to: manifest.name === SDK ? sdkVersion : coreVersion,
    dependsOn: Object.keys(manifest.dependencies ?? {}).filter((name) => name.startsWith('@forge-core/')),
  }));
  for (const manifest of published) {
    if (manifest.name !== SDK && manifest.version !== core.version) warnings.push(`${manifest.name} was at ${manifest.version}, not ${core.version} like ${CORE}; it moves to ${coreVersion} with the others`);
  }
  const moved = new Map(versions.filter((change) => change.from !== change.to).map((change) => [change.name, change.to]));

  const files = new Map<string, string>();
  const lockFile = join(root, 'package-lock.json');
  const lock = existsSync(lockFile) ? (JSON.parse(readFileSync(lockFile, 'utf8')) as { version?: string; packages?: Record<string, Manifest> }) : undefined;
  // The workspace root carries the product's version too (it is what package-lock.json names at its top).
  const rootMoved = new Map([...moved, ...(rootManifest.name ? [[rootManifest.name, coreVersion] as const] : [])]);
  for (const dir of ['', ...workspaceDirs(root, rootManifest.workspaces ?? [])]) {
    const file = join(dir, 'package.json');
    const text = readFileSync(join(root, file), 'utf8');
    const before = JSON.parse(text) as Manifest;
    const after = bumpManifest(before, rootMoved, file, warnings);
    if (!isDeepStrictEqual(before, after)) files.set(file, editInPlace(file, text, before, after));
    const locked = lock?.packages?.[dir];
    if (locked) lock!.packages![dir] = bumpManifest({ ...locked, name: locked.name ?? before.name }, rootMoved, `package-lock.json#${dir || '(root)'}`, []);
    if (locked && locked.name === undefined) delete lock!.packages![dir]!.name;
  }
  if (lock) {
    if (lock.version !== undefined) lock.version = coreVersion;
    const text = `${JSON.stringify(lock, null, 2)}\n`;
    if (text !== readFileSync(lockFile, 'utf8')) files.set(relative(root, lockFile), text);
  }
  if (sdkVersion !== sdk.version) bumpSdkConstant(root, sdk.version, sdkVersion, files, warnings);
  return { versions, coreVersion, sdkVersion, files, warnings };
}
