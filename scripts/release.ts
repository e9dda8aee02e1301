/**
 * `npm run release -- <version|major|minor|patch> [--sdk <version|major|minor|patch>] [--dry-run] [--no-pack]`
 *
 * The release playbook: moves @forge-core/core and every first-party pack to one new version
 * (the SDK only with --sdk, with its contract constant), updates the exact pins between them in
 * every package.json and package-lock.json, puts CHANGELOG.md's Unreleased entries under the
 * version, regenerates spec/openapi.json (it carries the version), packs, and prints the
 * checklist: versions, migration status, artifact hashes, the commands to run in order.
 *
 * --dry-run writes nothing (it packs the current build into a temporary folder for the table).
 * --no-pack leaves out what runs the sources (spec regeneration, build, pack): for a copy that
 * holds only the manifests, as the release tests use. FORGE_RELEASE_ROOT names another root.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { REPOSITORY_ROOT } from './build-inputs.mjs';
import { releaseChangelog } from './publishing/changelog-section.ts';
import { migrationStatus } from './publishing/migration-status.ts';
import { buildIfStale, packPackages, type PackResult } from './publishing/pack-packages.ts';
import { releaseChecklist } from './publishing/release-checklist.ts';
import { planVersionBump } from './publishing/version-bump.ts';

const USAGE = 'usage: npm run release -- <version|major|minor|patch> [--sdk <version|major|minor|patch>] [--dry-run] [--no-pack]';
const SPEC_GENERATOR = 'core/src/api/openapi/write-spec.ts';

function fail(message: string): never {
  console.error(`release: ${message}`);
  process.exit(1);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { sdk: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, 'no-pack': { type: 'boolean', default: false } },
  });
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`);
}
const { positionals, values } = parsed;
if (positionals.length !== 1) fail(USAGE);
const dryRun = values['dry-run'];
const root = resolve(process.env.FORGE_RELEASE_ROOT ?? REPOSITORY_ROOT);
const packsDir = join(root, 'build', 'packs');

let plan;
try {
  plan = planVersionBump(root, positionals[0]!, values.sdk);
  const changelog = join(root, 'CHANGELOG.md');
  plan.files.set('CHANGELOG.md', releaseChangelog(readFileSync(changelog, 'utf8'), plan.coreVersion, new Date().toISOString().slice(0, 10)));
} catch (error) {
  fail((error as Error).message);
}
const migrations = await migrationStatus(root);

const run = promisify(execFile);
const files = [...plan.files.keys()].sort();
if (!values['no-pack']) files.push('spec/openapi.json (regenerated: it carries the version)');
if (!dryRun) {
  for (const [file, content] of plan.files) writeFileSync(join(root, file), content);
  if (!values['no-pack']) await run(process.execPath, ['--import', 'tsx', join(root, SPEC_GENERATOR)], { cwd: root });
}

let packed: PackResult | null = null;
if (!values['no-pack']) {
  await buildIfStale(root);
  if (dryRun) {
    const scratch = mkdtempSync(join(tmpdir(), 'forge-release-dry-run-'));
    try {
      packed = await packPackages(root, scratch);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  } else {
    // Tarballs of the previous version would sit beside the new ones and be published by mistake.
    rmSync(packsDir, { recursive: true, force: true });
    packed = await packPackages(root, packsDir);
  }
}

console.log(
  releaseChecklist({
    coreVersion: plan.coreVersion,
    versions: plan.versions,
    files,
    warnings: plan.warnings,
    migrations,
    packages: packed?.packages ?? null,
    packsDir: relative(process.cwd(), packsDir) || packsDir,
    dryRun,
  }),
);
if (packed && packed.violations.length > 0) {
  console.error(`\n${packed.violations.length} problem(s) in the tarballs — do not publish them:`);
  for (const violation of packed.violations) console.error(`  ${violation}`);
  process.exit(1);
}
