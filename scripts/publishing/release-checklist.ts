/**
 * The release checklist as text: versions, migration status, artifacts and the commands to run
 * in order. Pure, so the release script prints the same thing in a dry run and a real one.
 */
import type { PackedPackage } from './pack-packages.ts';
import type { MigrationStatus } from './migration-status.ts';
import type { VersionChange } from './version-bump.ts';

const SDK = '@forge-core/sdk';
const CORE = '@forge-core/core';

export interface ChecklistInput {
  coreVersion: string;
  versions: readonly VersionChange[];
  files: readonly string[];
  warnings: readonly string[];
  migrations: MigrationStatus;
  /** null when nothing was packed (--no-pack). */
  packages: readonly PackedPackage[] | null;
  /** Where the tarballs are, as the publish commands name them. */
  packsDir: string;
  dryRun: boolean;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => `  ${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')}`);
}

/**
 * Publish order: the SDK, then the packs with each one after the packs it depends on
 * (executor-fake-agent after executor-claude-code), then the server, so no package is ever on
 * the registry before what it pins.
 */
export function publishOrder(changes: readonly VersionChange[]): VersionChange[] {
  const byName = new Map(changes.map((change) => [change.name, change]));
  const ordered: VersionChange[] = [];
  const visit = (change: VersionChange) => {
    if (ordered.includes(change)) return;
    for (const name of change.dependsOn) {
      const dependency = byName.get(name);
      if (dependency && dependency.name !== CORE) visit(dependency);
    }
    ordered.push(change);
  };
  const last = byName.get(CORE);
  for (const change of [...changes].sort((a, b) => Number(b.name === SDK) - Number(a.name === SDK))) if (change !== last) visit(change);
  if (last) visit(last);
  return ordered;
}

function migrationLines(status: MigrationStatus): string[] {
  const lines = [`Migrations (migrations/index.ts): ${status.names.length}, newest ${status.names.at(-1) ?? '(none)'}`];
  lines.push(status.withoutDown.length === 0 ? '  every one has a down' : `  WITHOUT a down (no rollback past them): ${status.withoutDown.join(', ')}`);
  if (status.previousTag === null) lines.push('  no earlier release tag (v*): every migration ships for the first time');
  else if (status.addedSincePreviousTag!.length === 0) lines.push(`  none added since ${status.previousTag}: the database schema is unchanged`);
  else lines.push(`  added since ${status.previousTag}: ${status.addedSincePreviousTag!.join(', ')} (run at the first start; back up FORGE_HOME first)`);
  return lines;
}

export function releaseChecklist(input: ChecklistInput): string {
  const { coreVersion, versions, packages, packsDir } = input;
  const lines = [`Release ${coreVersion}${input.dryRun ? ' — dry run: nothing was written' : ''}`, ''];

  lines.push('Versions', ...table([['package', 'from', 'to'], ...versions.map((change) => [change.name, change.from, change.from === change.to ? `${change.to} (unchanged)` : change.to])]), '');
  lines.push(input.dryRun ? 'Files it would change' : 'Files changed', ...input.files.map((file) => `  ${file}`), '');
  if (input.warnings.length > 0) lines.push('Look at these', ...input.warnings.map((warning) => `  ! ${warning}`), '');
  lines.push(...migrationLines(input.migrations), '');

  if (packages === null) {
    lines.push('Artifacts: not packed (--no-pack); `npm run pack` makes them', '');
  } else {
    if (input.dryRun) lines.push('Artifacts of the current build (a dry run packs the versions as they are; the real run packs the new ones)');
    else lines.push(`Artifacts (${packsDir})`);
    lines.push(...table([['tarball', 'sha256', 'integrity (sha512)'], ...packages.map((pack) => [pack.file.split('/').at(-1)!, pack.sha256, pack.integrity])]), '');
  }

  const tarball = (change: VersionChange) => `${packsDir}/${change.name.replace('@', '').replace('/', '-')}-${change.to}.tgz`;
  lines.push('Then, in order');
  lines.push('  1. npm test && npm run pack:check');
  lines.push(`  2. git commit -am "Release ${coreVersion}" && git tag -a v${coreVersion} -m "Forge Core ${coreVersion}"`);
  let step = 3;
  for (const change of publishOrder(versions)) {
    const unchanged = change.from === change.to;
    lines.push(`  ${step++}. npm publish --access public ${tarball(change)}${unchanged ? `   (skip when \`npm view ${change.name}@${change.to} version\` finds it published)` : ''}`);
  }
  lines.push(`  ${step}. git push --follow-tags`);
  return lines.join('\n');
}
