import type { PackReport } from './pack-registry.ts';
import type { PackListing } from './pending-changes.ts';

/**
 * The packs as a few lines a person reads at a glance: a count per status, then one line per
 * pack with what it contributes, why it is not loaded and what a restart would change.
 * `forgecore serve` prints it once at start and `forgecore plugins list` prints the same.
 */
export function packReportText(packs: readonly (PackReport | PackListing)[]): string {
  const counts = new Map<string, number>();
  for (const pack of packs) counts.set(pack.status, (counts.get(pack.status) ?? 0) + 1);
  const summary = [...counts].map(([status, count]) => `${count} ${status}`).join(', ') || 'none found';
  const width = Math.max(0, ...packs.map((p) => `${p.name}@${p.version}`.length));
  const lines = packs.map((pack) => {
    const contributes = [
      pack.executors.length ? `executors: ${pack.executors.join(', ')}` : '',
      pack.gitProviders.length ? `git providers: ${pack.gitProviders.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    const pending = 'pending' in pack && pack.pending ? `  [pending ${pack.pending}]` : '';
    const why = pack.error && pack.status !== 'loaded' ? `\n      ${pack.error.code}: ${pack.error.message}` : '';
    return `  ${pack.status.padEnd(11)} ${`${pack.name}@${pack.version}`.padEnd(width)}  (${pack.source}) ${contributes}${pending}${why}`;
  });
  return [`Packs: ${summary}`, ...lines].join('\n');
}
