import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installedPackDir, installedPackNames } from './plugin-home.ts';

export type PackSource = 'workspace' | 'installed' | 'local';

export interface PackCandidate {
  dir: string;
  source: PackSource;
  packageJson: Record<string, unknown>;
}

/** The repository root, where the first-party workspace packs live. */
export const WORKSPACE_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

const WORKSPACE_PACK_FOLDERS = ['plugins', 'git-providers'];

/** The SDK's own folder: linked into the plugins folder so installed packs import this copy. */
export const SDK_DIR = join(WORKSPACE_ROOT, 'sdk');

/**
 * Finds every folder holding a package.json with a `forge` field: the first-party workspace
 * packs, the packs `forge plugins add` installed under `home`, and the local folders named in
 * configuration. Nothing is imported here.
 */
export async function discoverPacks(home: string, localPaths: readonly string[]): Promise<PackCandidate[]> {
  const candidates: PackCandidate[] = [];
  for (const folder of WORKSPACE_PACK_FOLDERS) {
    const parent = join(WORKSPACE_ROOT, folder);
    const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory()) continue;
      const candidate = await readCandidate(join(parent, entry.name), 'workspace');
      if (candidate) candidates.push(candidate);
    }
  }
  for (const name of installedPackNames(home)) {
    const candidate = await readCandidate(installedPackDir(home, name), 'installed');
    if (candidate) candidates.push(candidate);
  }
  for (const path of localPaths) {
    const candidate = await readCandidate(resolve(path), 'local');
    if (candidate) candidates.push(candidate);
  }
  return candidates;
}

async function readCandidate(dir: string, source: PackSource): Promise<PackCandidate | null> {
  const text = await readFile(join(dir, 'package.json'), 'utf8').catch(() => null);
  if (text === null) return null;
  let packageJson: unknown;
  try {
    packageJson = JSON.parse(text);
  } catch {
    packageJson = { forge: '(package.json is not valid JSON)' };
  }
  if (!packageJson || typeof packageJson !== 'object' || !('forge' in packageJson)) return null;
  return { dir, source, packageJson: packageJson as Record<string, unknown> };
}
