// @ts-check
/**
 * What the build under build/ is made from, where it is, and whether it still matches the sources.
 *
 * Plain JavaScript on purpose: the repository's `forgecore` launcher asks this before anything
 * is compiled, at every start, so it must run in bare Node and cost a few milliseconds (one
 * stat per source file; the contents are hashed only when a stat changed).
 *
 * Layout: each build is a folder named after its sources' digest, build/<id>/node_modules/…,
 * and build/current is a symbolic link to the newest. A rebuild makes a new folder and moves
 * the link, so a process running an older build keeps its files (Node follows the link to the
 * real folder once, at the first import).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The file in a build's folder that records which sources it was made from. */
export const STAMP_NAME = 'build-stamp.json';

/**
 * The folder every build and its `current` link live in.
 * @param {string} root
 */
export const buildsDir = (root = REPOSITORY_ROOT) => join(root, 'build');
/**
 * The current build: what `forgecore` runs and `npm run pack` packs.
 * @param {string} root
 */
export const currentBuildDir = (root = REPOSITORY_ROOT) => join(buildsDir(root), 'current');
/**
 * The built packages of the current build, one folder per package name under the scope.
 * @param {string} root
 */
export const builtScopeDir = (root = REPOSITORY_ROOT) => join(currentBuildDir(root), 'node_modules', '@forge-core');

/** Folders whose packages are built when their package.json has a `forge` field (a pack). */
const PACK_PARENTS = ['plugins', 'git-providers'];
/** Per package, what goes into the build; tests, fixtures and scripts never do. */
const PACKAGE_INPUTS = ['package.json', 'README.md', 'src', 'bin'];
/** Editors' swap, backup and lock files: beside the sources, never part of them. */
const EDITOR_FILE = /(^|\/)(\.#|#)[^/]*$|~$|\.sw[a-p]$/;

/**
 * The folders of the packages that are built and published: the SDK, the server and every
 * first-party pack. (`root` is another checkout's root, for the tests.)
 * @returns {string[]} absolute paths
 */
export function publishedPackageDirs(root = REPOSITORY_ROOT) {
  const dirs = [join(root, 'sdk'), join(root, 'core')];
  for (const parent of PACK_PARENTS) {
    const entries = readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    for (const name of entries) {
      const dir = join(root, parent, name);
      const manifest = join(dir, 'package.json');
      if (existsSync(manifest) && 'forge' in JSON.parse(readFileSync(manifest, 'utf8'))) dirs.push(dir);
    }
  }
  return dirs;
}

/**
 * Every file the build reads, relative to the repository root and sorted: each package's
 * manifest, README, sources and bin scripts, the migrations bundled into the server, the
 * licence, the lockfile (dependency versions), the compiler options and the build scripts
 * themselves (the SDK's too).
 * @returns {string[]}
 */
export function buildInputs(root = REPOSITORY_ROOT) {
  const files = ['LICENSE', 'package-lock.json', 'tsconfig.json', 'scripts/build.ts', 'scripts/build-inputs.mjs', 'sdk/scripts/build.ts'];
  const inputRoots = [...publishedPackageDirs(root).flatMap((dir) => PACKAGE_INPUTS.map((input) => join(dir, input))), join(root, 'migrations')];
  for (const input of inputRoots) {
    if (!existsSync(input)) continue;
    if (statSync(input).isFile()) {
      files.push(relative(root, input));
      continue;
    }
    for (const entry of readdirSync(input, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) files.push(relative(root, join(entry.parentPath, entry.name)));
    }
  }
  return files.filter((file) => !EDITOR_FILE.test(file) && existsSync(join(root, file))).sort();
}

/**
 * A cheap summary of the inputs: names, sizes and modification times. Equal means unchanged;
 * different means "look closer" (a checkout or a `touch` changes times, not contents). A file
 * gone since it was listed counts as a change.
 * @param {string[]} files
 */
export function inputsFingerprint(files, root = REPOSITORY_ROOT) {
  const hash = createHash('sha256');
  for (const file of files) {
    try {
      const stat = statSync(join(root, file));
      hash.update(`${file}\0${stat.size}\0${stat.mtimeMs}\n`);
    } catch {
      hash.update(`${file}\0gone\n`);
    }
  }
  return hash.digest('hex');
}

/**
 * The inputs' names and contents: what the build depends on.
 * @param {string[]} files
 */
export function inputsDigest(files, root = REPOSITORY_ROOT) {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file}\0`);
    try {
      hash.update(readFileSync(join(root, file)));
    } catch {
      hash.update('\0gone');
    }
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * @typedef {{ digest: string, fingerprint: string, builtAt: string, packages: string[] }} BuildStamp
 * @returns {BuildStamp | null}
 */
export function readStamp(root = REPOSITORY_ROOT) {
  try {
    return JSON.parse(readFileSync(join(currentBuildDir(root), STAMP_NAME), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Whether the current build is what the current sources compile to: 'fresh'; 'missing' (no
 * build yet); 'incomplete' (a package of the build is gone); 'stale' (a source changed). A
 * matching digest under a new fingerprint is written back, so the next check is a stat again.
 * @returns {'fresh' | 'missing' | 'incomplete' | 'stale'}
 */
export function buildState(root = REPOSITORY_ROOT) {
  const stamp = readStamp(root);
  if (stamp === null) return 'missing';
  if (!Array.isArray(stamp.packages) || stamp.packages.some((name) => !existsSync(join(currentBuildDir(root), 'node_modules', name, 'package.json')))) {
    return 'incomplete';
  }
  const files = buildInputs(root);
  const fingerprint = inputsFingerprint(files, root);
  if (fingerprint === stamp.fingerprint) return 'fresh';
  if (inputsDigest(files, root) !== stamp.digest) return 'stale';
  try {
    writeFileSync(join(currentBuildDir(root), STAMP_NAME), `${JSON.stringify({ ...stamp, fingerprint }, null, 2)}\n`);
  } catch {
    // A read-only checkout still runs; it only hashes again next time.
  }
  return 'fresh';
}
