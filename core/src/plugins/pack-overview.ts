import { EXECUTOR_CAPABILITIES } from '@forge-core/sdk';
import type { ForgeConfig } from '../config/config.ts';
import type { PackRegistry } from './pack-registry.ts';
import { pendingPackChanges, type PackList } from './pending-changes.ts';
import { registryOptions } from './registry-options.ts';

/** An installed executor as clients see it: where it comes from, whether it can run here, what options it takes. */
export interface ExecutorView {
  id: string;
  displayName: string;
  description: string | null;
  package: string;
  version: string;
  contractVersion: string;
  capabilities: Record<string, boolean>;
  available: boolean;
  reason: string | null;
  detectedVersion: string | null;
  /** When availability was last detected: at start, or at the last refresh. */
  detectedAt: string;
  /** JSON Schema of the options a start request takes. */
  optionsSchema: Record<string, unknown>;
}

/** What this server tells clients about its packs: the executors it can run, and every pack it found. */
export class PackOverview {
  constructor(
    private readonly registry: PackRegistry,
    private readonly config: ForgeConfig,
  ) {}

  executors(): ExecutorView[] {
    return this.registry.listExecutors().map((e) => ({
      id: e.id,
      displayName: e.displayName,
      description: e.description,
      package: e.packageName,
      version: e.packageVersion,
      contractVersion: e.contractVersion,
      // Every flag, false when a pack of an older contract does not declare it.
      capabilities: Object.fromEntries(EXECUTOR_CAPABILITIES.map((flag) => [flag, e.capabilities[flag] ?? false])),
      available: e.detection.available,
      reason: e.detection.reason ?? null,
      detectedVersion: e.detection.version ?? null,
      detectedAt: e.detectedAt,
      optionsSchema: e.optionsJsonSchema,
    }));
  }

  /** The executors after every one of them was detected again (a CLI installed or removed since start). */
  async refreshExecutors(): Promise<ExecutorView[]> {
    await this.registry.refreshDetection();
    return this.executors();
  }

  /** The packs loaded at start, with what a restart would change; the configuration and plugins.json are read again each time. */
  packs(): Promise<PackList> {
    return pendingPackChanges(this.registry.packs, registryOptions(this.config));
  }
}
