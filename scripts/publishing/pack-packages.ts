/**
 * Packs every published package from the build (build/current/node_modules/@forge-core/*) into tarballs
 * and judges each: what it holds (tarball-contents.ts) and whether its pins on the others name
 * the versions packed beside it. Used by `npm run pack`, `npm run pack:check` and the release.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { builtScopeDir } from '../build-inputs.mjs';
import { readTarball } from './read-tarball.ts';
import { pinViolations, tarballViolations, type PublishedManifest } from './tarball-contents.ts';

const run = promisify(execFile);

export interface PackedPackage {
  name: string;
  version: string;
  /** Absolute path of the tarball. */
  file: string;
  /** Bytes of the tarball. */
  size: number;
  entryCount: number;
  /** What npm and the lockfile call its hash: "sha512-<base64>". */
  integrity: string;
  sha256: string;
  manifest: PublishedManifest & Record<string, unknown>;
}

export interface PackResult {
  packages: PackedPackage[];
  /** Every reason a tarball must not be published, naming the package and the file; empty when all are fine. */
  violations: string[];
}

/** What `npm pack --json` says of each tarball (the fields read here). */
interface NpmPackEntry {
  name: string;
  version: string;
  filename: string;
  size: number;
  entryCount: number;
}

/** The folders the build made for publishing, under `root`. */
export function builtPackageDirs(root: string): string[] {
  const scope = builtScopeDir(root);
  return readdirSync(scope, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(scope, entry.name))
    .sort();
}

/** Runs the build when the sources changed since the last one (scripts/build.ts --if-stale). */
export async function buildIfStale(root: string): Promise<void> {
  await run(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build.ts'), '--if-stale'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
}

function fileHash(algorithm: 'sha256' | 'sha512', file: string): Buffer {
  return createHash(algorithm).update(readFileSync(file)).digest();
}

/** Packs every built package of `root` into `destination` and checks the tarballs. */
export async function packPackages(root: string, destination: string): Promise<PackResult> {
  mkdirSync(destination, { recursive: true });
  const dirs = builtPackageDirs(root);
  // One npm for all of them: each npm start costs about a third of a second here.
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', resolve(destination), ...dirs], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  const entries = JSON.parse(stdout) as NpmPackEntry[];
  const packages: PackedPackage[] = [];
  const violations: string[] = [];
  for (const entry of entries) {
    const file = join(resolve(destination), entry.filename);
    const files = readTarball(file);
    const manifestFile = files.find((candidate) => candidate.path === 'package.json');
    if (!manifestFile) {
      violations.push(`${entry.name}: the tarball holds no package.json`);
      continue;
    }
    const manifest = JSON.parse(manifestFile.content.toString('utf8')) as PackedPackage['manifest'];
    violations.push(...tarballViolations(manifest, files));
    packages.push({
      name: entry.name,
      version: entry.version,
      file,
      size: entry.size,
      entryCount: entry.entryCount,
      integrity: `sha512-${fileHash('sha512', file).toString('base64')}`,
      sha256: fileHash('sha256', file).toString('hex'),
      manifest,
    });
  }
  violations.push(...pinViolations(packages.map((pack) => pack.manifest)));
  return { packages, violations };
}

/** The packed packages as a table: name, version, size, files, integrity. */
export function packTable(packages: readonly PackedPackage[]): string {
  const rows = [
    ['package', 'version', 'size', 'files', 'integrity (sha512)'],
    ...packages.map((pack) => [pack.name, pack.version, `${(pack.size / 1024).toFixed(1)} kB`, String(pack.entryCount), pack.integrity]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n');
}
