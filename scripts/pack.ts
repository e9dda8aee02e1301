/**
 * `npm run pack`: builds when stale, packs every published package into build/packs/, checks
 * each tarball (no tests, fixtures, TypeScript sources or credentials; only what a package
 * ships; pins between them matching), prints the table and exits non-zero naming each violation.
 */
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPOSITORY_ROOT } from './build-inputs.mjs';
import { buildIfStale, packPackages, packTable } from './publishing/pack-packages.ts';

const destination = join(REPOSITORY_ROOT, 'build', 'packs');

await buildIfStale(REPOSITORY_ROOT);
// Tarballs of an earlier version would sit beside the new ones and be published by mistake.
rmSync(destination, { recursive: true, force: true });
const { packages, violations } = await packPackages(REPOSITORY_ROOT, destination);
console.log(packTable(packages));
console.log(`\n${packages.length} tarballs in ${relative(process.cwd(), destination) || destination}`);
if (violations.length > 0) {
  console.error(`\n${violations.length} problem(s) — these tarballs must not be published:`);
  for (const violation of violations) console.error(`  ${violation}`);
  process.exit(1);
}
