/**
 * What a published tarball may hold. A package ships its manifest, README, licence and compiled
 * code; never the tests, fixtures or TypeScript sources beside it in the repository, nor a
 * credential that slipped into a file. Pure: it judges a list of files, so a test can plant a bad
 * one without running npm.
 */
import { posix } from 'node:path';

export interface TarballFile {
  /** Relative to the package folder, '/'-separated ("dist/index.js"). */
  path: string;
  content: Buffer;
}

/** The published package.json fields the checks read. */
export interface PublishedManifest {
  name: string;
  version: string;
  private?: boolean;
  scripts?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  bin?: Record<string, string>;
  forge?: { entry?: string };
  publishConfig?: { access?: string };
}

const TOP_LEVEL_FILES = new Set(['package.json', 'README.md', 'LICENSE']);
const TOP_LEVEL_FOLDERS = new Set(['dist', 'bin']);
/** What a compiled file outside dist/ may be: the SDK ships its JavaScript and declarations at its root. */
const COMPILED = /\.(js|mjs|cjs|d\.ts|d\.mts|d\.cts)$/;

/** Folders of tests and their data, at any depth. */
const TEST_FOLDERS = new Set(['test', 'tests', '__tests__', 'fixtures', '__fixtures__', '__mocks__']);
const TEST_FILE = /\.(test|spec)\.[a-z]+$/;
const TYPESCRIPT_SOURCE = /\.(ts|mts|cts|tsx)$/;
const DECLARATION = /\.d\.(ts|mts|cts)$/;

/** Files that hold credentials by their nature, whatever they contain. */
const CREDENTIAL_FILES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\.env(\..*)?$/, 'an environment file'],
  [/^\.npmrc$/, 'an npm configuration (may hold a registry token)'],
  [/^\.netrc$/, 'a .netrc (holds passwords)'],
  [/^\.git-credentials$/, 'a git credential store'],
  [/^id_(rsa|dsa|ecdsa|ed25519)(\.pub)?$/, 'an ssh key'],
  [/\.(pem|key|p12|pfx)$/, 'a key or certificate file'],
  [/\.(sqlite|sqlite3|db)(-wal|-shm)?$/, 'a database file'],
];

/**
 * Token shapes of the services Forge talks to, by their documented prefixes. Each requires the
 * token's body, so code that merely names a prefix ("ghp_ tokens") in a message or a regular
 * expression does not match.
 */
const TOKEN_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bgh[pousr]_[A-Za-z0-9]{36}\b/, 'a GitHub token (ghp_…)'],
  [/\bgithub_pat_[A-Za-z0-9_]{50,}/, 'a GitHub fine-grained token (github_pat_…)'],
  [/\bglpat-[A-Za-z0-9_-]{20,}/, 'a GitLab token (glpat-…)'],
  [/\bATBB[A-Za-z0-9_=.-]{24,}/, 'a Bitbucket app password (ATBB…)'],
  [/\bsk-ant-[A-Za-z0-9_-]{20,}/, 'an Anthropic API key (sk-ant-…)'],
  [/\bsk-proj-[A-Za-z0-9_-]{20,}/, 'an OpenAI API key (sk-proj-…)'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key (AIza…)'],
  [/\bnpm_[A-Za-z0-9]{36}\b/, 'an npm token (npm_…)'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id (AKIA…)'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/, 'a Slack token (xox…-)'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
];

/** Scripts npm runs on the user's machine at install: a published package of ours has none. */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

/** The folders the manifest's exports point into: compiled files may sit there (the SDK's layout). */
function exportFolders(manifest: PublishedManifest): Set<string> {
  const folders = new Set<string>();
  for (const target of Object.values(manifest.exports ?? {})) {
    for (const file of typeof target === 'string' ? [target] : Object.values(target)) {
      if (COMPILED.test(file)) folders.add(posix.dirname(posix.normalize(file)));
    }
  }
  return folders;
}

function isAllowedPlace(path: string, compiledFolders: Set<string>): boolean {
  const [top] = path.split('/');
  if (TOP_LEVEL_FILES.has(path) || TOP_LEVEL_FOLDERS.has(top!)) return true;
  if (!COMPILED.test(path)) return false;
  const folder = posix.dirname(path);
  // The root holds compiled files only when an export points there; a subfolder is allowed with
  // everything under it when an export points into it.
  if (folder === '.') return compiledFolders.has('.');
  return [...compiledFolders].some((allowed) => allowed !== '.' && (folder === allowed || folder.startsWith(`${allowed}/`)));
}

/** Why the file at `path` must not be published, judged by its name; null when its name is fine. */
function pathViolation(path: string, compiledFolders: Set<string>): string | null {
  const segments = path.split('/');
  const base = segments.at(-1)!;
  const testFolder = segments.slice(0, -1).find((segment) => TEST_FOLDERS.has(segment));
  if (testFolder) return `${path}: inside a ${testFolder}/ folder (tests and fixtures are not published)`;
  if (TEST_FILE.test(base)) return `${path}: a test file`;
  if (TYPESCRIPT_SOURCE.test(base) && !DECLARATION.test(base)) return `${path}: a TypeScript source (only compiled JavaScript and .d.ts are published)`;
  const credential = CREDENTIAL_FILES.find(([pattern]) => pattern.test(base));
  if (credential) return `${path}: ${credential[1]}`;
  if (!isAllowedPlace(path, compiledFolders)) {
    const elsewhere = [...compiledFolders].filter((folder) => folder !== 'dist' && !folder.startsWith('dist/'));
    const compiled = elsewhere.length > 0 ? `, compiled files in ${elsewhere.map((folder) => (folder === '.' ? 'the root' : `${folder}/`)).join(', ')}` : '';
    return `${path}: outside what a package ships (package.json, README.md, LICENSE, dist/, bin/${compiled})`;
  }
  return null;
}

/** Why the text of a file must not be published: each token-like string, by kind and line, never the token itself. */
function contentViolations(file: TarballFile): string[] {
  if (file.content.includes(0)) return [];
  const violations: string[] = [];
  const lines = file.content.toString('utf8').split('\n');
  for (const [pattern, kind] of TOKEN_PATTERNS) {
    const line = lines.findIndex((text) => pattern.test(text));
    if (line >= 0) violations.push(`${file.path}:${line + 1}: looks like ${kind}`);
  }
  return violations;
}

/** The manifest's own problems: what npm would refuse to publish, or would run on install. */
function manifestViolations(manifest: PublishedManifest, paths: Set<string>): string[] {
  const violations: string[] = [];
  if (manifest.private) violations.push('package.json: "private": true (npm refuses to publish it)');
  if (manifest.name.startsWith('@') && manifest.publishConfig?.access !== 'public') {
    violations.push('package.json: no publishConfig.access "public" (a scoped package is published restricted)');
  }
  for (const script of INSTALL_SCRIPTS) {
    if (manifest.scripts?.[script] !== undefined) violations.push(`package.json: scripts.${script} would run on every install`);
  }
  const targets = [
    ...Object.values(manifest.exports ?? {}).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target))),
    ...Object.values(manifest.bin ?? {}),
    ...(manifest.forge?.entry ? [manifest.forge.entry] : []),
  ];
  for (const target of new Set(targets)) {
    const path = posix.normalize(target);
    if (!paths.has(path)) violations.push(`package.json: points at ${target}, which the tarball does not hold`);
  }
  return violations;
}

/**
 * Every reason the files of one package must not be published, each naming the file (and line)
 * and what is wrong; empty when the tarball is fine.
 */
export function tarballViolations(manifest: PublishedManifest, files: readonly TarballFile[]): string[] {
  const compiledFolders = exportFolders(manifest);
  const violations: string[] = [];
  for (const file of files) {
    const byName = pathViolation(file.path, compiledFolders);
    if (byName) violations.push(byName);
    violations.push(...contentViolations(file));
  }
  violations.push(...manifestViolations(manifest, new Set(files.map((file) => file.path))));
  return violations.map((violation) => `${manifest.name}: ${violation}`);
}

/** The dependency fields whose @forge-core pins must name a version packed beside them. */
const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'] as const;

/**
 * Pins between the packed packages: each @forge-core dependency must be one of the tarballs, at
 * its exact version, since none of them can be fetched from the registry yet and an install of
 * the set must resolve each from the set.
 */
export function pinViolations(manifests: ReadonlyArray<PublishedManifest & Partial<Record<(typeof DEPENDENCY_FIELDS)[number], Record<string, string>>>>): string[] {
  const versions = new Map(manifests.map((manifest) => [manifest.name, manifest.version]));
  const violations: string[] = [];
  for (const manifest of manifests) {
    for (const field of DEPENDENCY_FIELDS) {
      for (const [name, spec] of Object.entries(manifest[field] ?? {})) {
        if (!name.startsWith('@forge-core/')) continue;
        const packed = versions.get(name);
        if (packed === undefined) violations.push(`${manifest.name}: ${field} names ${name}, which is not among the packed packages`);
        else if (spec !== packed) violations.push(`${manifest.name}: ${field} pins ${name}@${spec}, but ${packed} is packed`);
      }
    }
  }
  return violations;
}
