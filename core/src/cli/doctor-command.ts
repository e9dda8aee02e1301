import type { ForgeConfig } from '../config/config.ts';
import { PackOverview, type ExecutorView } from '../plugins/pack-overview.ts';
import { PackRegistry, type PackReport } from '../plugins/pack-registry.ts';
import { registryOptions } from '../plugins/registry-options.ts';
import { checkDatabase, checkGit, checkHome, checkPort, checkServer, type DoctorCheck } from './doctor-checks.ts';
import { parseOptions } from './parse-options.ts';

export const DOCTOR_USAGE = `Usage: forgecore doctor [--json]

Checks this machine for Forge Core without a running server: git and its version, FORGE_HOME
(writable, not readable by other users), the database file, the configured port, whether a
server answers there and takes this configuration's token (what the client commands need), and
every executor of the packs a start would load: whether it can run here, the version found, and
what to install when it cannot (the same answers as GET /executors).
  --json       print the checks and executors as JSON
  -h, --help   show this help

Exits 0 when no check fails and at least one executor is available, 1 otherwise.`;

/** `forgecore doctor`: returns the exit code. */
export async function doctorCommand(config: ForgeConfig, args: readonly string[], print: (text: string) => void): Promise<number> {
  const { values } = parseOptions('forgecore doctor', args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    print(DOCTOR_USAGE);
    return 0;
  }
  const checks = [checkHome(config), await checkGit(), await checkDatabase(config), await checkPort(config), await checkServer(config)];
  // Loaded as a start loads them, detection included.
  const registry = await PackRegistry.load(registryOptions(config));
  const executors = new PackOverview(registry, config).executors();
  checks.push(checkPacks(registry.packs), checkExecutors(executors));
  const ok = checks.every((c) => c.status !== 'fail');
  print(values.json ? JSON.stringify({ ok, checks, executors }, null, 2) : doctorText(config, checks, executors));
  return ok ? 0 : 1;
}

/** A pack that failed to load hides its executors: worth fixing, though the others run. */
function checkPacks(packs: readonly PackReport[]): DoctorCheck {
  const failed = packs.filter((p) => p.status === 'failed');
  if (failed.length === 0) return { name: 'packs', status: 'ok', detail: `${packs.length} found, none failed to load` };
  const why = failed.map((p) => `\n${p.name}: ${p.error?.code}: ${p.error?.message}`).join('');
  return { name: 'packs', status: 'warn', detail: `${failed.length} of ${packs.length} failed to load (forgecore plugins list):${why}` };
}

function checkExecutors(executors: readonly ExecutorView[]): DoctorCheck {
  const available = executors.filter((e) => e.available).length;
  return available > 0
    ? { name: 'executors', status: 'ok', detail: `${available} of ${executors.length} can run here` }
    : { name: 'executors', status: 'fail', detail: `none of ${executors.length} can run here: install one of the CLIs below, as its reason says.` };
}

function doctorText(config: ForgeConfig, checks: readonly DoctorCheck[], executors: readonly ExecutorView[]): string {
  const nameWidth = Math.max(...checks.map((c) => c.name.length));
  const indent = ' '.repeat(nameWidth + 10);
  const checkLines = checks.map((c) => `  ${c.status.padEnd(4)}  ${c.name.padEnd(nameWidth)}  ${c.detail.replaceAll('\n', `\n${indent}`)}`);
  const header = ['EXECUTOR', 'AVAILABLE', 'VERSION', 'PACKAGE', 'WHAT TO INSTALL / REASON'];
  const rows = executors.map((e) => [e.id, e.available ? 'yes' : 'no', e.detectedVersion ?? '-', `${e.package}@${e.version}`, e.reason ?? '']);
  return [
    `Forge Core doctor (FORGE_HOME ${config.home})`,
    '',
    ...checkLines,
    '',
    ...(rows.length > 0 ? table([header, ...rows]) : ['No executors: no pack that gives one loaded (forgecore plugins list says why).']),
  ].join('\n');
}

/** Columns padded to their widest cell; the last one is left as it is, since it may be long. */
function table(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd());
}
