import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type Joi from 'joi';
import {
  EXECUTOR_BRAND,
  PACK_BRAND,
  SDK_CONTRACT_VERSION,
  type DetectResult,
  type Executor,
  type ExecutorCapabilities,
  type OptionShape,
  type Pack,
} from '@forge-core/sdk';
import { checkSdkRange } from './compat.ts';
import { discoverPacks, type PackCandidate, type PackSource } from './discover.ts';
import { compileOptions, optionsJsonSchema } from './executor-options.ts';
import { checkManifest } from './manifest.ts';

export type PackStatus = 'loaded' | 'failed';

export interface PackReport {
  name: string;
  version: string;
  source: PackSource;
  path: string;
  status: PackStatus;
  error: { code: string; message: string } | null;
  executors: string[];
}

export interface ExecutorEntry {
  id: string;
  displayName: string;
  description: string | null;
  capabilities: ExecutorCapabilities;
  packageName: string;
  packageVersion: string;
  contractVersion: string;
  executor: Executor<OptionShape>;
  optionsSchema: Joi.ObjectSchema;
  optionsJsonSchema: Record<string, unknown>;
  detection: DetectResult;
}

const DETECT_TIMEOUT_MS = 5_000;

/**
 * The packs this host found and the executors they contribute. A pack that fails any check
 * becomes a `failed` report with a code and a sentence saying what to do; it never stops the
 * server or the other packs.
 */
export class PackRegistry {
  private readonly executors = new Map<string, ExecutorEntry>();
  readonly packs: PackReport[] = [];

  static async load(localPaths: readonly string[]): Promise<PackRegistry> {
    const registry = new PackRegistry();
    for (const candidate of await discoverPacks(localPaths)) await registry.loadPack(candidate);
    return registry;
  }

  executor(id: string): ExecutorEntry | undefined {
    return this.executors.get(id);
  }

  listExecutors(): ExecutorEntry[] {
    return [...this.executors.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  private async loadPack(candidate: PackCandidate): Promise<void> {
    const file = join(candidate.dir, 'package.json');
    const checked = checkManifest(candidate.packageJson, file);
    const report: PackReport = {
      name: checked.ok ? checked.name : String(candidate.packageJson.name ?? candidate.dir),
      version: checked.ok ? checked.version : String(candidate.packageJson.version ?? '0.0.0'),
      source: candidate.source,
      path: candidate.dir,
      status: 'failed',
      error: null,
      executors: [],
    };
    this.packs.push(report);
    if (!checked.ok) return void (report.error = { code: 'FORGE_PLUGIN_MANIFEST_INVALID', message: checked.message });
    const incompatible = checkSdkRange(`${checked.name}@${checked.version}`, checked.manifest.sdk);
    if (incompatible) return void (report.error = { code: 'FORGE_PLUGIN_SDK_INCOMPATIBLE', message: incompatible });

    let pack: Pack;
    try {
      const module = await import(pathToFileURL(join(candidate.dir, checked.manifest.entry)).href);
      pack = module.default;
    } catch (error) {
      return void (report.error = {
        code: 'FORGE_PLUGIN_IMPORT_FAILED',
        message: `Could not import ${checked.name} entry ${checked.manifest.entry}: ${(error as Error).message}`,
      });
    }
    if (!pack || pack.$$type !== PACK_BRAND || !Array.isArray(pack.executors)) {
      return void (report.error = {
        code: 'FORGE_PLUGIN_EXPORT_INVALID',
        message: `${checked.name} entry ${checked.manifest.entry} must export default definePack({...}) from @forge-core/sdk.`,
      });
    }
    const declared = [...(checked.manifest.contributes.executors ?? [])].sort();
    const exported = pack.executors.map((e) => e.id).sort();
    if (declared.join() !== exported.join() || pack.executors.some((e) => e.$$type !== EXECUTOR_BRAND)) {
      return void (report.error = {
        code: 'FORGE_PLUGIN_EXPORT_INVALID',
        message: `${checked.name} declares executors [${declared.join(', ')}] in package.json#forge.contributes but exports [${exported.join(', ')}].`,
      });
    }
    const duplicate = pack.executors.find((e) => this.executors.has(e.id));
    if (duplicate) {
      const owner = this.executors.get(duplicate.id)!;
      return void (report.error = {
        code: 'FORGE_PLUGIN_DUPLICATE_ID',
        message: `Executor id "${duplicate.id}" is contributed by both ${owner.packageName} and ${checked.name}; disable one of them.`,
      });
    }
    for (const executor of pack.executors) {
      this.executors.set(executor.id, {
        id: executor.id,
        displayName: executor.displayName,
        description: executor.description ?? null,
        capabilities: executor.capabilities,
        packageName: checked.name,
        packageVersion: checked.version,
        contractVersion: SDK_CONTRACT_VERSION,
        executor,
        optionsSchema: compileOptions(executor.options),
        optionsJsonSchema: optionsJsonSchema(executor.options),
        detection: await detectWithTimeout(executor),
      });
      report.executors.push(executor.id);
    }
    report.status = 'loaded';
  }
}

async function detectWithTimeout(executor: Executor<OptionShape>): Promise<DetectResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DetectResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ available: false, reason: `detect() did not answer within ${DETECT_TIMEOUT_MS} ms` });
    }, DETECT_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      executor.detect({ findExecutable, signal: controller.signal }).catch((error: unknown) => ({
        available: false,
        reason: `detect() failed: ${(error as Error)?.message ?? String(error)}`,
      })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
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
