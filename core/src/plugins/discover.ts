import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CORE_PACKAGE, dependencyDir } from '../core-package.ts';
import { installedPackDir, installedPackNames } from './plugin-home.ts';

export type PackSource = 'workspace' | 'installed' | 'local';

export interface PackCandidate {
  dir: string;
  source: PackSource;
  packageJson: Record<string, unknown>;
  /** Another candidate with the same package name that takes its place, if any. */
  shadowedBy?: PackCandidate;
  /** Why this folder cannot be a pack before its manifest is even read. */
  problem?: string;
}

// Later sources win over earlier ones for one package name: an installed copy of a built-in
// pack replaces it, and a local folder replaces both while its author works on it.
const PRECEDENCE: Record<PackSource, number> = { workspace: 0, installed: 1, local: 2 };

/** The SDK the server runs with: linked into the plugins folder so installed packs import this copy. */
export const SDK_DIR = dependencyDir('@forge-core/sdk');

/**
 * Finds every folder holding a package.json with a `forge` field: the first-party packs the
 * server depends on (source "workspace": they come with it), the packs `forgecore plugins add`
 * installed under `home`, and the local folders named in configuration. Nothing is imported here.
 */
export async function discoverPacks(home: string, localPaths: readonly string[]): Promise<PackCandidate[]> {
  const candidates: PackCandidate[] = [];
  for (const name of Object.keys(CORE_PACKAGE.dependencies).sort()) {
    if (!name.startsWith('@forge-core/') || name === '@forge-core/sdk') continue;
    const candidate = await readCandidate(dependencyDir(name), 'workspace');
    if (candidate) candidates.push(candidate);
  }
  for (const name of installedPackNames(home)) {
    const candidate = await readCandidate(installedPackDir(home, name), 'installed');
    if (candidate) candidates.push(candidate);
  }
  for (const path of localPaths) {
    const candidate = await readCandidate(resolve(path), 'local');
    if (candidate) candidates.push(candidate);
  }
  return markShadowed(candidates);
}

function markShadowed(candidates: PackCandidate[]): PackCandidate[] {
  const winners = new Map<unknown, PackCandidate>();
  for (const candidate of candidates) {
    const current = winners.get(candidate.packageJson.name);
    if (!current || PRECEDENCE[candidate.source] >= PRECEDENCE[current.source]) winners.set(candidate.packageJson.name, candidate);
  }
  for (const candidate of candidates) {
    const winner = winners.get(candidate.packageJson.name)!;
    if (winner !== candidate) candidate.shadowedBy = winner;
  }
  return candidates;
}

/**
 * The pack in `dir`, or null when the folder holds no pack. A folder the user named (a local
 * path, an installed package) that holds none is still a candidate, with the problem, so the
 * startup report shows the typo instead of silently skipping it.
 */
async function readCandidate(dir: string, source: PackSource): Promise<PackCandidate | null> {
  const named = source !== 'workspace';
  const text = await readFile(join(dir, 'package.json'), 'utf8').catch(() => null);
  if (text === null) return named ? { dir, source, packageJson: { name: dir }, problem: `${dir} has no package.json.` } : null;
  let packageJson: unknown;
  try {
    packageJson = JSON.parse(text);
  } catch {
    return { dir, source, packageJson: { name: dir }, problem: `${join(dir, 'package.json')} is not valid JSON.` };
  }
  if (!packageJson || typeof packageJson !== 'object' || !('forge' in packageJson)) {
    const name = (packageJson as { name?: unknown } | null)?.name ?? dir;
    return named ? { dir, source, packageJson: { name }, problem: `${join(dir, 'package.json')} has no "forge" field, so it is not a Forge pack.` } : null;
  }
  return { dir, source, packageJson: packageJson as Record<string, unknown> };
}
