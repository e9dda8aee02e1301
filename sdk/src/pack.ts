import type { Executor } from './executor.ts';
import type { GitProvider } from './git-provider.ts';
import type { OptionShape } from './options.ts';
import { CONTRACT_MAJOR } from './version.ts';

export const PACK_BRAND = '@forge-core/Pack';

export interface PackDefinition {
  executors?: readonly Executor<OptionShape>[];
  gitProviders?: readonly GitProvider[];
}

export type Pack = Readonly<{ executors: readonly Executor<OptionShape>[]; gitProviders: readonly GitProvider[] }> & {
  readonly $$type: typeof PACK_BRAND;
  readonly contractVersion: typeof CONTRACT_MAJOR;
};

/** What a pack's entry module exports as default. */
export function definePack(definition: PackDefinition): Pack {
  return Object.freeze({
    executors: Object.freeze([...(definition.executors ?? [])]),
    gitProviders: Object.freeze([...(definition.gitProviders ?? [])]),
    $$type: PACK_BRAND,
    contractVersion: CONTRACT_MAJOR,
  });
}

/** The `package.json#forge` field every pack declares. */
export interface PackManifest {
  manifestVersion: 1;
  /** A semver range of the contract version, pinning a major, e.g. "^1.0.0". */
  sdk: string;
  kind: 'executor' | 'git-provider' | 'pack';
  entry: string;
  contributes: { executors?: string[]; gitProviders?: string[] };
}
