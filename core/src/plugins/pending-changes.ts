import { discoverPacks, type PackCandidate } from './discover.ts';
import { describeCandidate, whyKeptFromLoading, type PackReport, type PackStatus, type RegistryOptions } from './pack-registry.ts';
import type { PluginSelection } from './plugin-selection.ts';

/** What the next start changes for a pack: it loads a new or other version, drops it, or lets it load again or not. */
export type PendingChange = 'install' | 'remove' | 'enable' | 'disable';

export interface PackListing extends Omit<PackReport, 'status'> {
  /** `notLoaded`: put on disk after this server started; it loads at the next start. */
  status: PackStatus | 'notLoaded';
  pending: PendingChange | null;
}

export interface PackList {
  items: PackListing[];
  /** Whether any pack on disk differs from what this server loaded. */
  restartRequired: boolean;
}

/**
 * The packs a server loaded, each with what a restart would change, found by reading what is
 * on disk now: `forgecore plugins add/remove/enable/disable` (from any process) change files,
 * and a running server cannot unload an ES module. Nothing is imported: this reads package.json
 * files and $FORGE_HOME/plugins.json, so it is cheap enough for every request.
 */
export async function pendingPackChanges(loaded: readonly PackReport[], options: RegistryOptions): Promise<PackList> {
  const candidates = await discoverPacks(options.home, options.localPaths);
  const onDisk = new Map(candidates.map((candidate) => [candidate.dir, candidate]));
  const items: PackListing[] = loaded.map((pack) => ({ ...pack, pending: pendingChange(pack, onDisk.get(pack.path), options.selection) }));
  const loadedPaths = new Set(loaded.map((pack) => pack.path));
  for (const candidate of candidates) {
    if (loadedPaths.has(candidate.dir)) continue;
    items.push({ ...describeCandidate(candidate).report, status: 'notLoaded', pending: 'install' });
  }
  return { items, restartRequired: items.some((pack) => pack.pending !== null) };
}

/** Decided as the loader decides before importing: same copy, then a broken manifest, then disabled or not. */
function pendingChange(pack: PackReport, candidate: PackCandidate | undefined, selection: PluginSelection): PendingChange | null {
  if (!candidate) return 'remove';
  const { report, checked } = describeCandidate(candidate);
  if (report.name !== pack.name || report.version !== pack.version) return 'install';
  if (candidate.problem || !checked.ok) return null;
  const keptOut = whyKeptFromLoading(candidate, checked.name, selection) !== null;
  if (keptOut && pack.status !== 'disabled') return 'disable';
  if (!keptOut && pack.status === 'disabled') return 'enable';
  return null;
}
