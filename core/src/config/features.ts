import { ForgeError } from '@forge-core/sdk';

/**
 * Features still settling (decision 0031). Each is on unless the configuration switches it off
 * (`features` in config.json, or FORGE_FEATURES="webhooks=off,replay=on"); a switched-off
 * feature's routes and tools answer FORGE_FEATURE_DISABLED, and its background work does not run.
 * A feature leaves this list when it is stable, and is then always on.
 */
export const FEATURES = {
  dependencies: 'Task dependencies: edges between tasks, blocked starts, autoStart when the last dependency is done.',
  webhooks: 'Webhook subscriptions: signed deliveries of task, attempt, approval and pull request events, retried until received.',
  replay: "Session replay: a finished attempt's log streamed again with its original timing, or exported as JSONL.",
  devServer: "The project's dev script run in an attempt's worktree, its output in the attempt's log and its port reported.",
} as const;

export type FeatureName = keyof typeof FEATURES;
export const FEATURE_NAMES = Object.keys(FEATURES) as FeatureName[];

export interface FeatureState {
  name: FeatureName;
  enabled: boolean;
  stage: 'preview';
  description: string;
  /** Where `enabled` comes from. */
  source: 'default' | 'config';
}

/** Which features this server runs with; fixed for the life of the process. */
export class FeatureFlags {
  constructor(private readonly settings: Partial<Record<FeatureName, boolean>>) {}

  enabled(name: FeatureName): boolean {
    return this.settings[name] ?? true;
  }

  /** Throws FORGE_FEATURE_DISABLED (404) when the feature is off, saying how to switch it on. */
  require(name: FeatureName): void {
    if (this.enabled(name)) return;
    throw new ForgeError(
      'FORGE_FEATURE_DISABLED',
      `The ${name} feature is switched off on this server. Set "features": {"${name}": true} in config.json, or FORGE_FEATURES="${name}=on", and restart.`,
      { feature: name },
    );
  }

  list(): FeatureState[] {
    return FEATURE_NAMES.map((name) => ({
      name,
      enabled: this.enabled(name),
      stage: 'preview',
      description: FEATURES[name],
      source: this.settings[name] === undefined ? 'default' : 'config',
    }));
  }
}

/** Reads FORGE_FEATURES ("name=on,other=off"); throws a message naming what is wrong. */
export function parseFeaturesVariable(value: string): Partial<Record<FeatureName, boolean>> {
  const settings: Partial<Record<FeatureName, boolean>> = {};
  for (const item of value.split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = /^([A-Za-z]+)=(on|off|true|false|1|0)$/.exec(item);
    if (!match || !FEATURE_NAMES.includes(match[1] as FeatureName)) {
      throw new Error(`FORGE_FEATURES: "${item}" is not name=on|off for one of ${FEATURE_NAMES.join(', ')}`);
    }
    settings[match[1] as FeatureName] = ['on', 'true', '1'].includes(match[2]!);
  }
  return settings;
}
