/**
 * Builds every published package into build/<id>/node_modules/<name> (build/current links the
 * newest): the folders npm packs and the layout an install makes, so the repository's
 * `forgecore` runs exactly what a user installs.
 *
 * - the SDK: its own build (sdk/scripts/build.ts), one JavaScript file and declaration per source;
 * - the server and each first-party pack: each entry point bundled with esbuild (dependencies
 *   stay imports), the files the manifest names rewritten from src/*.ts to dist/*.js.
 *
 * A build is made in a staging folder, renamed whole, then made current by moving the link, so
 * a server starting at that moment sees the old build or the new one, never half of one; one
 * already running keeps its own. Builds take turns under a lock file. `--if-stale` does nothing
 * when the current build already matches the sources.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { REPOSITORY_ROOT, STAMP_NAME, buildInputs, buildState, buildsDir, currentBuildDir, inputsDigest, inputsFingerprint, publishedPackageDirs } from './build-inputs.mjs';
import { withFileLock } from '../core/src/locks/file-lock.ts';

type Manifest = Record<string, unknown> & {
  name: string;
  exports?: Record<string, string>;
  forge?: Record<string, unknown> & { entry: string };
  bin?: Record<string, string>;
};

/** The server's command: an entry point that is not an export. */
const CORE_CLI_SOURCE = './src/cli/main.ts';
const CORE_CLI_OUTPUT = './dist/cli.js';
/** The server's other files loaded by path, not imported: the loader-thread hooks (import-pack-entry.ts). */
const CORE_LOADED_BY_PATH = ['./src/plugins/sdk-resolve-hooks.ts'];

/**
 * Where a source entry lands: every file sits directly in dist/, the depth of a file in src/,
 * so code that finds `../package.json` next to itself still does once bundled.
 * "./src/index.ts" → "./dist/index.js", "./src/testing/index.ts" → "./dist/testing.js".
 */
function outputOf(source: string): string {
  if (source === CORE_CLI_SOURCE) return CORE_CLI_OUTPUT;
  const stem = source.replace(/^\.\/src\//, '').replace(/\.ts$/, '').replace(/\/index$/, '');
  return `./dist/${stem.replaceAll('/', '-')}.js`;
}

/** The source entries of a bundled package: its exports, its pack entry, and the server's command. */
function entriesOf(manifest: Manifest): string[] {
  const sources = new Set<string>();
  for (const target of Object.values(manifest.exports ?? {})) if (target.endsWith('.ts')) sources.add(target);
  if (manifest.forge) sources.add(manifest.forge.entry);
  if (manifest.name === '@forge-core/core') for (const source of [CORE_CLI_SOURCE, ...CORE_LOADED_BY_PATH]) sources.add(source);
  for (const source of sources) {
    if (!source.startsWith('./src/')) throw new Error(`${manifest.name}: the entry ${source} is outside src/`);
  }
  return [...sources];
}

/** package.json as published: built files, no workspace-only fields, public under its scope. */
function publishedManifest(source: Manifest): Manifest {
  const { scripts: _scripts, devDependencies: _devDependencies, private: _private, ...rest } = source;
  const published: Manifest = { ...rest, publishConfig: { access: 'public' } };
  if (source.exports) {
    published.exports = Object.fromEntries(Object.entries(source.exports).map(([subpath, target]) => [subpath, target.endsWith('.ts') ? outputOf(target) : target]));
  }
  if (source.forge) published.forge = { ...source.forge, entry: outputOf(source.forge.entry) };
  if (source.bin) published.bin = Object.fromEntries(Object.keys(source.bin).map((name) => [name, './bin/forge.js']));
  return published;
}

/** The installed server's command: the compiled CLI, with the memory flags `npm start` uses. */
const CORE_BIN = `#!/usr/bin/env -S node --max-semi-space-size=1 --v8-pool-size=2 --heap-growing-percent=50
// The Forge Core command line, compiled from the TypeScript sources of @forge-core/core.
import module from 'node:module';

// Node 22.1 and later keep the compiled code on disk between starts; older ones start without it.
module.enableCompileCache?.();
await import('../dist/cli.js');
`;

async function bundlePackage(dir: string, manifest: Manifest, out: string): Promise<void> {
  const entries = entriesOf(manifest);
  await build({
    absWorkingDir: dir,
    entryPoints: Object.fromEntries(entries.map((source) => [outputOf(source).replace(/^\.\/dist\//, '').replace(/\.js$/, ''), source])),
    outdir: join(out, 'dist'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Every package import stays an import: dependencies are installed beside the package, and
    // the SDK must be one copy shared by the server and every pack.
    packages: 'external',
    // Chunks beside the entries (see outputOf), and class and function names kept for messages.
    chunkNames: '[name]-[hash]',
    keepNames: true,
    logLevel: 'error',
  });
  if (manifest.bin) {
    mkdirSync(join(out, 'bin'), { recursive: true });
    writeFileSync(join(out, 'bin', 'forge.js'), CORE_BIN, { mode: 0o755 });
  } else if (existsSync(join(dir, 'bin'))) {
    cpSync(join(dir, 'bin'), join(out, 'bin'), { recursive: true });
  }
}

async function buildPackage(dir: string, staging: string): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  const out = join(staging, 'node_modules', manifest.name);
  if (manifest.name === '@forge-core/sdk') {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', join(dir, 'scripts', 'build.ts'), out], { cwd: dir });
  } else {
    await bundlePackage(dir, manifest, out);
    writeFileSync(join(out, 'package.json'), `${JSON.stringify(publishedManifest(manifest), null, 2)}\n`);
    if (existsSync(join(dir, 'README.md'))) cpSync(join(dir, 'README.md'), join(out, 'README.md'));
  }
  cpSync(join(REPOSITORY_ROOT, 'LICENSE'), join(out, 'LICENSE'));
}

/** How many builds are kept besides the current one, for processes still running them. */
const KEPT_BUILDS = 3;
const BUILD_ID = /^[0-9a-f]{16}$/;

/** Points build/current at the build `id`: a new link renamed over the old one, never a moment without. */
function makeCurrent(id: string): void {
  const link = currentBuildDir();
  const next = `${link}.next-${process.pid}`;
  rmSync(next, { force: true });
  symlinkSync(id, next, 'dir');
  renameSync(next, link);
}

/**
 * Removes old builds, keeping the current one and the newest few a running process may still
 * use, and what a killed build left in staging (builds take turns, so no other is staging now).
 */
function removeOldBuilds(current: string): void {
  for (const name of readdirSync(buildsDir())) {
    if (name.includes('.staging-') || name.startsWith('current.next-')) rmSync(join(buildsDir(), name), { recursive: true, force: true });
  }
  const builds = readdirSync(buildsDir())
    .filter((name) => BUILD_ID.test(name) && name !== current)
    .map((name) => ({ name, mtimeMs: statSync(join(buildsDir(), name)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const old of builds.slice(KEPT_BUILDS)) rmSync(join(buildsDir(), old.name), { recursive: true, force: true });
}

/** Builds every published package into build/<id> (id: the sources' digest) and makes it current. */
export async function buildAll(): Promise<void> {
  const inputs = buildInputs();
  // The times first: an edit made while the build reads the sources leaves the build stale.
  const fingerprint = inputsFingerprint(inputs);
  const digest = inputsDigest(inputs);
  const id = digest.slice(0, 16);
  const target = join(buildsDir(), id);
  // These sources were built before (an edit undone, a branch switched back): that build is current again.
  if (existsSync(join(target, STAMP_NAME))) {
    makeCurrent(id);
    return;
  }
  const staging = `${target}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const dirs = publishedPackageDirs();
  // Every package finishes (or fails) before anything is cleaned up: a half-written folder is never removed under a writer.
  const results = await Promise.allSettled(dirs.map((dir) => buildPackage(dir, staging)));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    rmSync(staging, { recursive: true, force: true });
    throw failed.reason;
  }
  const packages = dirs.map((dir) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest).name);
  writeFileSync(join(staging, STAMP_NAME), `${JSON.stringify({ digest, fingerprint, builtAt: new Date().toISOString(), packages }, null, 2)}\n`);
  renameSync(staging, target);
  makeCurrent(id);
  removeOldBuilds(id);
}

const started = performance.now();
try {
  mkdirSync(buildsDir(), { recursive: true });
  // Builds take turns (the server's own lock file, taken over when its process is gone): launchers
  // started together after an edit run one build, and the others find it fresh.
  const turn = async () => {
    if (process.argv.includes('--if-stale') && buildState() === 'fresh') return false;
    await buildAll();
    return true;
  };
  const built = await withFileLock(join(buildsDir(), '.lock'), turn, { what: 'build', waitLimitMs: 10 * 60_000 });
  if (built) console.error(`Built ${publishedPackageDirs().length} packages into ${relative(process.cwd(), currentBuildDir())} in ${Math.round(performance.now() - started)} ms.`);
} catch (error) {
  console.error(`The build failed: ${(error as Error).message}`);
  process.exit(1);
}
