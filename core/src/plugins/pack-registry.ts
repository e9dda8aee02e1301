import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type Joi from 'joi';
import {
  EXECUTOR_BRAND,
  ForgeError,
  GIT_PROVIDER_BRAND,
  PACK_BRAND,
  SDK_CONTRACT_VERSION,
  describeValue,
  optionShapeProblems,
  type DetectResult,
  type Executor,
  type ExecutorCapabilities,
  type ForgeErrorCode,
  type GitProvider,
  type GitProviderCapabilities,
  type OptionShape,
  type Pack,
} from '@forge-core/sdk';
import { runCommand } from '@forge-core/sdk/process';
import { agentEnvironment } from '../runtime/environment.ts';
import { now } from '../store/clock.ts';
import { invokeHook } from './boundary.ts';
import { checkSdkRange } from './compat.ts';
import { SDK_DIR, discoverPacks, type PackCandidate, type PackSource } from './discover.ts';
import { importPackEntry } from './import-pack-entry.ts';
import { compileOptions, optionsJsonSchema } from './executor-options.ts';
import { checkManifest, type ManifestCheck } from './manifest.ts';
import { linkHostSdk } from './plugin-home.ts';
import { whyDisabled, type PluginSelection } from './plugin-selection.ts';

/**
 * loaded: its contributions are registered; unavailable: registered, but none of its executors
 * can run on this machine (detect said why); disabled: kept from loading by the user or the
 * configuration; failed: a check, the import or a hook failed, with the error saying what to do.
 */
export type PackStatus = 'loaded' | 'unavailable' | 'disabled' | 'failed';

export interface PackReport {
  name: string;
  version: string;
  source: PackSource;
  path: string;
  status: PackStatus;
  error: { code: ForgeErrorCode; message: string } | null;
  executors: string[];
  gitProviders: string[];
}

export interface ExecutorEntry {
  id: string;
  displayName: string;
  description: string | null;
  capabilities: ExecutorCapabilities;
  packageName: string;
  packageVersion: string;
  /** The pack's folder. */
  path: string;
  contractVersion: string;
  executor: Executor<OptionShape>;
  optionsSchema: Joi.ObjectSchema;
  optionsJsonSchema: Record<string, unknown>;
  /** Its settings from the configuration (`executors.<id>`), validated, defaults filled in. */
  config: Readonly<Record<string, unknown>>;
  detection: DetectResult;
  /** When `detection` was answered (ISO-8601): at load, or at the last refresh. */
  detectedAt: string;
}

export interface GitProviderEntry {
  id: string;
  displayName: string;
  description: string | null;
  capabilities: GitProviderCapabilities;
  packageName: string;
  packageVersion: string;
  path: string;
  provider: GitProvider;
}

export interface RegistryOptions {
  /** FORGE_HOME, where `forgecore plugins add` installs packs. */
  home: string;
  /** Extra pack folders from the configuration. */
  localPaths: readonly string[];
  selection: PluginSelection;
  /** The limit for detect() and any other short hook. */
  hookTimeoutMs: number;
  /** Each executor's settings from the configuration, by executor id. */
  executorSettings: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

// An import runs the pack's top-level code; one that never settles must not hold the server.
const IMPORT_TIMEOUT_MS = 30_000;

/**
 * The packs this host found and what they contribute. Every check happens before the pack's
 * code is imported where it can; a pack that fails any of them becomes a report with a code and
 * a sentence saying what to do, and never stops the server or the other packs.
 */
export class PackRegistry {
  private readonly executors = new Map<string, ExecutorEntry>();
  private readonly gitProviders = new Map<string, GitProviderEntry>();
  readonly packs: PackReport[] = [];
  private refreshing: Promise<void> | null = null;

  private constructor(private readonly options: RegistryOptions) {}

  static async load(options: RegistryOptions): Promise<PackRegistry> {
    linkHostSdk(options.home, SDK_DIR);
    const registry = new PackRegistry(options);
    for (const candidate of await discoverPacks(options.home, options.localPaths)) await registry.loadPack(candidate);
    return registry;
  }

  executor(id: string): ExecutorEntry | undefined {
    return this.executors.get(id);
  }

  listExecutors(): ExecutorEntry[] {
    return [...this.executors.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  gitProvider(id: string): GitProviderEntry | undefined {
    return this.gitProviders.get(id);
  }

  listGitProviders(): GitProviderEntry[] {
    return [...this.gitProviders.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Runs every executor's detect() again, all at once, each within the hook limit, so a CLI
   * installed or removed since start shows without a restart; attempt starts read the new
   * answers, and each pack's status follows them. Calls made while a run is under way share it.
   */
  refreshDetection(): Promise<void> {
    this.refreshing ??= this.detectAll().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async detectAll(): Promise<void> {
    const entries = [...this.executors.values()];
    const detected = await Promise.all(entries.map((e) => this.detectNow(e.packageName, e.executor, e.config)));
    // New entries rather than changed ones: a run that already holds its entry keeps a consistent one.
    entries.forEach((entry, i) => this.executors.set(entry.id, { ...entry, ...detected[i] }));
    for (const report of this.packs) {
      if (report.status !== 'loaded' && report.status !== 'unavailable') continue;
      settleStatus(report, this.listExecutors().filter((e) => e.path === report.path));
    }
  }

  /** The pack that declares an executor id, loaded or not: to explain why an id is missing. */
  packContributing(executorId: string): PackReport | undefined {
    return this.packs.find((p) => p.executors.includes(executorId));
  }

  private async loadPack(candidate: PackCandidate): Promise<void> {
    const { report, checked } = describeCandidate(candidate);
    this.packs.push(report);
    const fail = (code: ForgeErrorCode, message: string) => void (report.error = { code, message });
    if (candidate.problem) return fail('FORGE_PLUGIN_MANIFEST_INVALID', candidate.problem);
    if (!checked.ok) return fail('FORGE_PLUGIN_MANIFEST_INVALID', checked.message);
    const disabled = whyKeptFromLoading(candidate, checked.name, this.options.selection);
    if (disabled) {
      report.status = 'disabled';
      return fail('FORGE_PLUGIN_DISABLED', disabled);
    }
    const incompatible = checkSdkRange(checked, checked.manifest.sdk);
    if (incompatible) return fail('FORGE_PLUGIN_SDK_INCOMPATIBLE', incompatible);

    let pack: Pack;
    try {
      const site = { plugin: checked.name, contribution: 'entry', hook: 'import' };
      const module = await invokeHook(site, IMPORT_TIMEOUT_MS, () => importPackEntry(join(candidate.dir, checked.manifest.entry), candidate.source === 'local'));
      pack = (module as { default: Pack }).default;
    } catch (error) {
      const timedOut = error instanceof ForgeError && error.code === 'FORGE_PLUGIN_HOOK_TIMEOUT';
      const cause = error instanceof ForgeError && error.cause instanceof Error ? error.cause.message : (error as Error).message;
      return timedOut
        ? fail('FORGE_PLUGIN_HOOK_TIMEOUT', `Importing ${checked.name} entry ${checked.manifest.entry} did not finish within ${IMPORT_TIMEOUT_MS} ms.`)
        : fail('FORGE_PLUGIN_IMPORT_FAILED', `Could not import ${checked.name} entry ${checked.manifest.entry}: ${cause}`);
    }
    const exportProblem = checkPackExport(pack, checked.name, checked.manifest.entry, report);
    if (exportProblem) return fail('FORGE_PLUGIN_EXPORT_INVALID', exportProblem);
    const duplicate = this.findDuplicate(pack, `${checked.name} (${candidate.dir})`);
    if (duplicate) return fail('FORGE_PLUGIN_DUPLICATE_ID', duplicate);

    const entries: ExecutorEntry[] = [];
    for (const executor of pack.executors) {
      // defineExecutor checked them; an executor object made some other way is checked again here.
      const problems = [...optionShapeProblems(executor.options), ...optionShapeProblems(executor.config, 'config')];
      if (problems.length > 0) {
        return fail('FORGE_PLUGIN_EXPORT_INVALID', `Executor ${executor.id} of ${checked.name} has invalid descriptors: ${problems.join('; ')}`);
      }
      let optionsSchema: Joi.ObjectSchema;
      let configSchema: Joi.ObjectSchema;
      try {
        optionsSchema = compileOptions(executor.options);
        configSchema = compileOptions(executor.config);
      } catch (error) {
        return fail('FORGE_PLUGIN_EXPORT_INVALID', `Executor ${executor.id} of ${checked.name} has invalid descriptors: ${(error as Error).message}`);
      }
      const settings = configSchema.validate(this.options.executorSettings[executor.id] ?? {}, { abortEarly: false });
      if (settings.error) {
        const found = settings.error.details.map((d) => `${d.path.join('.')}: ${d.message}`).join('; ');
        return fail('FORGE_PLUGIN_CONFIG_INVALID', `The settings for executor ${executor.id} (configuration executors.${executor.id}) are invalid: ${found}. Fix them in config.json and restart.`);
      }
      entries.push({
        id: executor.id,
        displayName: executor.displayName,
        description: executor.description ?? null,
        capabilities: executor.capabilities,
        packageName: checked.name,
        packageVersion: checked.version,
        path: candidate.dir,
        contractVersion: SDK_CONTRACT_VERSION,
        executor,
        optionsSchema,
        optionsJsonSchema: optionsJsonSchema(executor.options),
        config: Object.freeze(settings.value),
        ...(await this.detectNow(checked.name, executor, settings.value)),
      });
    }
    for (const entry of entries) this.executors.set(entry.id, entry);
    // A pack built against an SDK older than git providers has no such list.
    const providers = pack.gitProviders ?? [];
    for (const provider of providers) {
      this.gitProviders.set(provider.id, {
        id: provider.id,
        displayName: provider.displayName,
        description: provider.description ?? null,
        capabilities: provider.capabilities,
        packageName: checked.name,
        packageVersion: checked.version,
        path: candidate.dir,
        provider,
      });
    }
    settleStatus(report, entries);
  }

  private findDuplicate(pack: Pack, name: string): string | null {
    for (const [kind, ids, taken] of [
      ['Executor', pack.executors.map((e) => e.id), this.executors],
      ['Git provider', (pack.gitProviders ?? []).map((p) => p.id), this.gitProviders],
    ] as const) {
      const id = ids.find((i) => taken.has(i));
      if (id) {
        const owner = taken.get(id)!;
        return `${kind} id "${id}" is contributed by both ${owner.packageName} (${owner.path}) and ${name}; disable one of them with \`forgecore plugins disable <name>\`.`;
      }
    }
    return null;
  }

  /** Whether the executor can run here, and when that was answered. */
  private async detectNow(packageName: string, executor: Executor<OptionShape>, config: Record<string, unknown>): Promise<Pick<ExecutorEntry, 'detection' | 'detectedAt'>> {
    const detection = await this.detect(packageName, executor, config);
    return { detection, detectedAt: now() };
  }

  /** Whether the executor can run here; a throw, a hang or a malformed answer means it cannot. */
  private async detect(packageName: string, executor: Executor<OptionShape>, config: Record<string, unknown>): Promise<DetectResult> {
    const site = { plugin: packageName, contribution: executor.id, hook: 'detect' };
    try {
      const result = await invokeHook(site, this.options.hookTimeoutMs, (signal) =>
        executor.detect({
          findExecutable,
          signal,
          config: Object.freeze({ ...config }),
          // Within the hook's own limit: a command that outlives it is killed with the hook.
          exec: (command, args, options) =>
            runCommand(command, args, { env: agentEnvironment(), timeoutMs: Math.min(options?.timeoutMs ?? this.options.hookTimeoutMs, this.options.hookTimeoutMs), signal }),
        }),
      );
      if (!result || typeof result.available !== 'boolean') {
        return { available: false, reason: `detect() must return { available: boolean }, returned ${describeValue(result)}` };
      }
      return result;
    } catch (error) {
      return { available: false, reason: (error as Error).message };
    }
  }
}

/**
 * A registered pack is loaded when one of its executors can run here or it gives a git provider
 * (which needs no detection); unavailable otherwise, its error saying why each executor cannot run.
 */
function settleStatus(report: PackReport, entries: readonly ExecutorEntry[]): void {
  const runnable = entries.some((e) => e.detection.available) || report.gitProviders.length > 0;
  report.status = runnable ? 'loaded' : 'unavailable';
  report.error = runnable ? null : { code: 'FORGE_EXECUTOR_UNAVAILABLE', message: entries.map((e) => `${e.id}: ${e.detection.reason ?? 'unavailable'}`).join('; ') };
}

/**
 * A candidate's report before anything of it runs: its name, version and what its manifest
 * declares (so a disabled or broken pack still says what it would contribute), status `failed`
 * until the loader decides otherwise.
 */
export function describeCandidate(candidate: PackCandidate): { report: PackReport; checked: ManifestCheck } {
  const checked = checkManifest(candidate.packageJson, join(candidate.dir, 'package.json'));
  const declared = checked.ok && !candidate.problem ? checked.manifest.contributes : {};
  const report: PackReport = {
    name: checked.ok ? checked.name : String(candidate.packageJson.name ?? candidate.dir),
    version: checked.ok ? checked.version : String(candidate.packageJson.version ?? '0.0.0'),
    source: candidate.source,
    path: candidate.dir,
    status: 'failed',
    error: null,
    executors: [...(declared.executors ?? [])],
    gitProviders: [...(declared.gitProviders ?? [])],
  };
  return { report, checked };
}

/** Why a pack with a valid manifest is kept from loading: another copy replaces it, or the user or configuration disabled it. */
export function whyKeptFromLoading(candidate: PackCandidate, name: string, selection: PluginSelection): string | null {
  if (candidate.shadowedBy) {
    const { source, dir } = candidate.shadowedBy;
    return `${name}@${String(candidate.packageJson.version)} (${candidate.source}) is replaced by the ${source} copy at ${dir}.`;
  }
  return whyDisabled(name, selection);
}

/** Whether the entry's default export is a pack contributing exactly what the manifest declares. */
function checkPackExport(pack: Pack | undefined, name: string, entry: string, declared: PackReport): string | null {
  if (!pack || pack.$$type !== PACK_BRAND || !Array.isArray(pack.executors)) {
    return `${name} entry ${entry} must export default definePack({...}) from @forge-core/sdk, exported ${describeValue(pack)}.`;
  }
  const providers = Array.isArray(pack.gitProviders) ? pack.gitProviders : [];
  const badExecutor = pack.executors.findIndex((e) => e?.$$type !== EXECUTOR_BRAND);
  if (badExecutor >= 0) return `${name} default.executors[${badExecutor}] is not a value returned by defineExecutor().`;
  const badProvider = providers.findIndex((p) => p?.$$type !== GIT_PROVIDER_BRAND);
  if (badProvider >= 0) return `${name} default.gitProviders[${badProvider}] is not a value returned by defineGitProvider().`;
  for (const [field, exported, listed] of [
    ['executors', pack.executors.map((e) => e.id), declared.executors],
    ['gitProviders', providers.map((p) => p.id), declared.gitProviders],
  ] as const) {
    if ([...exported].sort().join() !== [...listed].sort().join()) {
      return `${name} declares ${field} [${listed.join(', ')}] in package.json#forge.contributes but exports [${exported.join(', ')}].`;
    }
  }
  return null;
}

export async function findExecutable(name: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}
